import { useState, type FormEvent } from 'react';
import { Collapsible } from 'radix-ui';
import { Link, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { useAudit, useRevert, type AuditEntry, type AuditFilters } from '../../api/audit';
import { useEnvironments } from '../../api/environments';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { DiffView } from '../../components/diff-view';
import { Field } from '../../components/field';
import { Page } from '../../components/page';
import { WriteGuard } from '../../components/write-guard';
import '../environments/admin.css';

const FILTER_NAMES = ['env', 'resourceType', 'resourceKey', 'actor', 'action', 'since', 'until'] as const;
const RESOURCE_TYPES = ['flag', 'segment', 'environment', 'key', 'release-plan', 'schedule'] as const;
/** Resources whose entries can be reverted (their `before` is a definition the service can apply again). */
const REVERTABLE = new Set(['flag', 'segment']);

function filtersOf(params: URLSearchParams): AuditFilters {
  const filters: AuditFilters = {};
  for (const name of FILTER_NAMES) {
    const value = params.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

// <input type="datetime-local"> speaks local time without a zone; the API wants ISO-8601 instants.
function toIso(local: string): string | undefined {
  if (local === '') return undefined;
  const time = new Date(local);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}
function toLocal(iso: string | undefined): string {
  if (iso === undefined) return '';
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return '';
  const shifted = new Date(time.getTime() - time.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

function Filters({ value, onApply }: { value: AuditFilters; onApply: (filters: AuditFilters) => void }) {
  const environments = useEnvironments();
  const [draft, setDraft] = useState<Record<string, string>>(() => ({
    env: value.env ?? '',
    resourceType: value.resourceType ?? '',
    resourceKey: value.resourceKey ?? '',
    actor: value.actor ?? '',
    action: value.action ?? '',
    since: toLocal(value.since),
    until: toLocal(value.until),
  }));
  const set = (name: string) => (event: { target: { value: string } }) => setDraft((current) => ({ ...current, [name]: event.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next: AuditFilters = {};
    for (const name of ['env', 'resourceType', 'resourceKey', 'actor', 'action'] as const) if (draft[name]?.trim()) next[name] = draft[name]!.trim();
    const since = toIso(draft.since ?? '');
    const until = toIso(draft.until ?? '');
    if (since) next.since = since;
    if (until) next.until = until;
    onApply(next);
  };
  const clear = () => {
    setDraft({ env: '', resourceType: '', resourceKey: '', actor: '', action: '', since: '', until: '' });
    onApply({});
  };
  return (
    <form onSubmit={submit} aria-label="Audit filters" className="stack">
      <div className="filters">
        <Field label="Environment">
          <select value={draft.env} onChange={set('env')}>
            <option value="">All</option>
            {(environments.data ?? []).map((env) => (
              <option key={env.key} value={env.key}>
                {env.key}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Resource type">
          <select value={draft.resourceType} onChange={set('resourceType')}>
            <option value="">All</option>
            {RESOURCE_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Flag or segment key" description="With type segment, a segment key.">
          <input value={draft.resourceKey} onChange={set('resourceKey')} autoComplete="off" maxLength={200} />
        </Field>
        <Field label="Actor" description="Key name or id.">
          <input value={draft.actor} onChange={set('actor')} autoComplete="off" maxLength={200} />
        </Field>
        <Field label="Action" description="Exact, or a prefix like flag.*">
          <input value={draft.action} onChange={set('action')} autoComplete="off" maxLength={200} />
        </Field>
        <Field label="Since">
          <input type="datetime-local" value={draft.since} onChange={set('since')} />
        </Field>
        <Field label="Until">
          <input type="datetime-local" value={draft.until} onChange={set('until')} />
        </Field>
      </div>
      <div className="row-actions start">
        <button type="submit" className="primary">
          Apply filters
        </button>
        <button type="button" onClick={clear}>
          Clear
        </button>
      </div>
    </form>
  );
}

function resourceLink(entry: AuditEntry) {
  const env = entry.environment;
  if (env !== null && entry.resourceType === 'flag') return <Link to={`/env/${encodeURIComponent(env)}/flags/${encodeURIComponent(entry.resourceKey)}`}>{entry.resourceKey}</Link>;
  if (env !== null && entry.resourceType === 'segment') return <Link to={`/env/${encodeURIComponent(env)}/segments/${encodeURIComponent(entry.resourceKey)}`}>{entry.resourceKey}</Link>;
  return <code>{entry.resourceKey}</code>;
}

function Revert({ entry }: { entry: AuditEntry }) {
  const revert = useRevert();
  const [result, setResult] = useState<string>('');
  return (
    <>
      <WriteGuard>
        {(guard) => (
          <ConfirmDialog
            trigger={
              <button type="button" disabled={guard.disabled} aria-describedby={guard.reasonId}>
                Revert this change
              </button>
            }
            title={`Revert ${entry.action} of ${entry.resourceKey}?`}
            description={`Puts ${entry.resourceType} ${entry.resourceKey}${entry.environment ? ` in ${entry.environment}` : ''} back to its state before this change, as a new audited change. If it has changed since, the service refuses and says which change came later.`}
            confirmLabel="Revert"
            danger
            onConfirm={() =>
              revert.mutateAsync(entry.id).then(
                (created) => setResult(`Reverted: the new entry is ${created?.action ?? 'in the log'}.`),
                (error: unknown) => {
                  if (error instanceof ApiError && error.status === 409) throw new Error(`Conflict: ${error.message}`);
                  throw error;
                },
              )
            }
          />
        )}
      </WriteGuard>
      <span role="status" className="muted">
        {result}
      </span>
    </>
  );
}

function Entry({ entry }: { entry: AuditEntry }) {
  const [open, setOpen] = useState(false);
  const at = new Date(entry.at);
  return (
    <li className="audit-entry" data-entry-id={entry.id}>
      <Collapsible.Root open={open} onOpenChange={setOpen}>
        <div className="audit-summary">
          <time dateTime={entry.at}>{at.toLocaleString()}</time>
          <span>
            <strong>{entry.actor.name}</strong> <code>{entry.action}</code> {entry.resourceType} {resourceLink(entry)}
            {entry.environment !== null && <span className="muted"> in {entry.environment}</span>}
            {entry.metadata?.revertOf !== undefined && <span className="badge">revert of #{String(entry.metadata.revertOf)}</span>}
          </span>
          <Collapsible.Trigger asChild>
            <button type="button" aria-label={`${open ? 'Hide' : 'Show'} changes of ${entry.action} ${entry.resourceKey} at ${at.toLocaleString()}`}>
              {open ? 'Hide changes' : 'Show changes'}
            </button>
          </Collapsible.Trigger>
        </div>
        <Collapsible.Content className="audit-details">
          <DiffView before={entry.before ?? undefined} after={entry.after ?? undefined} caption={`Changes of entry #${entry.id}`} />
          {REVERTABLE.has(entry.resourceType) && <Revert entry={entry} />}
        </Collapsible.Content>
      </Collapsible.Root>
    </li>
  );
}

/** `/audit`: the audit log with filters, pages, a before/after diff per entry and "Revert this change". */
export default function AuditPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersOf(params);
  const audit = useAudit(filters);
  const entries = audit.data?.pages.flatMap((page) => page.entries) ?? [];
  const apply = (next: AuditFilters) => setParams(Object.fromEntries(Object.entries(next).filter(([, value]) => value !== undefined)) as Record<string, string>);
  return (
    <Page title="Audit log" description="Every change, newest first: who, what, when, and the state before and after.">
      <Filters key={params.toString()} value={filters} onApply={apply} />
      {audit.isPending && <p role="status">Loading the audit log…</p>}
      {audit.isError && (
        <p role="alert" className="notice error">
          Could not load the audit log: {audit.error instanceof Error ? audit.error.message : String(audit.error)}
        </p>
      )}
      {audit.isSuccess && (
        <>
          <p className="muted" role="status">
            {entries.length === 0 ? 'No entries match these filters.' : `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} shown${audit.hasNextPage ? ', more below' : ''}.`}
          </p>
          <ol className="audit-list" aria-label="Audit entries">
            {entries.map((entry) => (
              <Entry key={entry.id} entry={entry} />
            ))}
          </ol>
          {audit.hasNextPage && (
            <button type="button" onClick={() => void audit.fetchNextPage()} disabled={audit.isFetchingNextPage}>
              {audit.isFetchingNextPage ? 'Loading…' : 'Load older entries'}
            </button>
          )}
        </>
      )}
    </Page>
  );
}
