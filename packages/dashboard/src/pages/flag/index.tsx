import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { Switch } from 'radix-ui';
import type { FlagDefinition } from '@halyard/core';
import { ApiError, type Problem } from '../../api/client';
import { fetchFlag, useArchiveFlag, useEnvironmentFlags, useFlag, useSaveFlag, useToggleFlag, type LastChange, type StoredFlag } from '../../api/flag';
import { useSegments } from '../../api/segments';
import { useSession } from '../../api/session';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Page } from '../../components/page';
import { WriteGuard } from '../../components/write-guard';
import { fieldDomId, mapProblems, relativeToFlag } from '../../lib/problem-fields';
import { ConflictDialog, type Conflict } from './conflict-dialog';
import { composeDefinition, flagFieldPaths, variantRows, variantTextError, type VariantRow } from './draft';
import { MetadataSection } from './metadata-section';
import { PrerequisitesSection } from './prerequisites-section';
import { RolloutSlider } from './rollout-slider';
import { RulesSection } from './rules-section';
import { ServeEditor } from './serve-editor';
import { TargetsSection } from './targets-section';
import { TestContext } from './test-context';
import { VariantsSection } from './variants-section';
import './flag.css';

interface Problems {
  fields: Record<string, string>;
  unmapped: Problem[];
}

const NO_PROBLEMS: Problems = { fields: {}, unmapped: [] };

function safeCompose(draft: FlagDefinition, rows: readonly VariantRow[]): FlagDefinition | undefined {
  try {
    return composeDefinition(draft, rows);
  } catch {
    return undefined;
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The flag page: edit a draft of the definition, save it with If-Match, see problems at their fields. */
export default function FlagPage() {
  const { env = 'production', key = '' } = useParams();
  const location = useLocation();
  const session = useSession();
  const flag = useFlag(env, key);
  const segments = useSegments(env);
  const environmentFlags = useEnvironmentFlags(env);
  const save = useSaveFlag(env, key);
  const toggle = useToggleFlag(env, key);
  const archive = useArchiveFlag(env, key);

  const [base, setBase] = useState<StoredFlag | undefined>();
  const [draft, setDraft] = useState<FlagDefinition | undefined>();
  const [rows, setRows] = useState<VariantRow[]>([]);
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [status, setStatus] = useState('');
  const [conflict, setConflict] = useState<Conflict | undefined>();
  const [conflictError, setConflictError] = useState<string | undefined>();
  const [pendingToggle, setPendingToggle] = useState<boolean | undefined>();
  const summaryRef = useRef<HTMLDivElement>(null);
  const reasonId = useId();

  const load = (resource: StoredFlag) => {
    setBase(resource);
    setDraft(resource.definition);
    setRows(variantRows(resource.definition));
  };

  const composed = draft ? safeCompose(draft, rows) : undefined;
  const dirty = base !== undefined && draft !== undefined && (composed === undefined || JSON.stringify(composed) !== JSON.stringify(base.definition));

  // First load, and later versions (live changes, another tab) while nothing is edited here.
  useEffect(() => {
    const current = flag.data;
    if (!current) return;
    if (base === undefined || (current.version !== base.version && !dirty) || (current.version === base.version && current.archivedAt !== base.archivedAt)) load(current);
    // Runs on a new server answer only: the draft state it reads is current at that moment.
  }, [flag.data]);

  // `#rule-1` (from the evaluate panel) scrolls to and focuses that rule once it is rendered.
  const rendered = draft !== undefined;
  useEffect(() => {
    if (!rendered || location.hash === '') return;
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target) return;
    target.scrollIntoView({ block: 'start' });
    target.focus({ preventScroll: true });
  }, [rendered, location.hash]);

  const fields = useMemo(() => (draft ? flagFieldPaths(draft, rows) : []), [draft, rows]);
  const variants = rows.map((row) => row.name).filter((name) => name !== '');
  const archived = base?.archivedAt !== undefined;
  const blockedReason = session.writeBlockedReason ?? (archived ? 'This flag is archived: restore it to change it.' : undefined);
  const disabled = blockedReason !== undefined;
  const newerVersion = flag.data && base && flag.data.version !== base.version && dirty ? flag.data : undefined;

  const showProblems = (next: Problems) => {
    setProblems(next);
    requestAnimationFrame(() => {
      const first = Object.keys(next.fields)[0];
      if (next.unmapped.length > 0 || first === undefined) summaryRef.current?.focus();
      else document.getElementById(fieldDomId(first))?.focus();
    });
  };

  const failed = (error: unknown, mine: FlagDefinition) => {
    if (error instanceof ApiError && error.status === 412) {
      const details = error.details as { currentVersion?: number; lastChange?: LastChange };
      setConflict({ mine, ...(details.lastChange ? { lastChange: details.lastChange } : {}), ...(details.currentVersion !== undefined ? { currentVersion: details.currentVersion } : {}) });
      fetchFlag(env, key).then(
        (current) => setConflict((open) => (open ? { ...open, current } : open)),
        (failure: unknown) => setConflictError(`Could not load the current version: ${message(failure)}`),
      );
      return;
    }
    if (error instanceof ApiError && error.problems.length > 0) return showProblems(mapProblems(error.problems, key, fields));
    showProblems({ fields: {}, unmapped: [{ path: '', message: error instanceof ApiError ? `${error.message} (${error.code})` : message(error) }] });
  };

  const submit = (definition: FlagDefinition, version: number) =>
    save.mutateAsync({ definition, version }).then((saved) => {
      load(saved);
      setProblems(NO_PROBLEMS);
      setConflict(undefined);
      setConflictError(undefined);
      setStatus(`Saved: version ${saved.version}.`);
      return saved;
    });

  const onSave = () => {
    if (!draft || !base) return;
    const local: Record<string, string> = {};
    for (const row of rows) {
      const problem = variantTextError(row, rows);
      if (problem) local[`variants["${row.name}"]`] = problem;
    }
    const definition = safeCompose(draft, rows);
    if (Object.keys(local).length > 0 || !definition) {
      showProblems({ fields: {}, unmapped: [{ path: 'variants', message: 'Fix the variants marked below before saving.' }] });
      return;
    }
    setStatus('Saving…');
    submit(definition, base.version).catch((error: unknown) => {
      setStatus('');
      failed(error, definition);
    });
  };

  const onToggle = async (enabled: boolean) => {
    const saved = await toggle.mutateAsync(enabled);
    // Rebase the draft on the new version when nothing but `enabled` changed since it was loaded.
    if (base && JSON.stringify({ ...saved.definition, enabled: base.definition.enabled }) === JSON.stringify(base.definition)) {
      setBase(saved);
      setDraft((current) => (current ? { ...current, enabled: saved.definition.enabled } : current));
    }
    setStatus(`The flag is now ${saved.definition.enabled ? 'on' : 'off'} (version ${saved.version}).`);
  };

  if (flag.isPending) return <p role="status">Loading {key}…</p>;
  if (flag.error)
    return (
      <Page title={key}>
        <p role="alert" className="notice error">
          {flag.error instanceof ApiError && flag.error.status === 404 ? `There is no flag "${key}" in ${env}.` : message(flag.error)}
        </p>
        <Link to={`/env/${encodeURIComponent(env)}/flags`}>Back to the flags</Link>
      </Page>
    );
  if (!draft || !base) return <p role="status">Loading {key}…</p>;

  const errors = problems.fields;
  const segmentKeys = (segments.data ?? []).map((segment) => segment.key);
  const enabled = base.definition.enabled;

  return (
    <Page
      title={key}
      className="flag-page"
      description={
        <>
          {env} · version {base.version}
          {archived ? ' · archived' : ''}
          {dirty ? ' · unsaved changes' : ''}
        </>
      }
      actions={
        <>
          <button type="button" disabled={!dirty || save.isPending} onClick={() => load(base)}>
            Discard changes
          </button>
          <WriteGuard blockedBecause={archived ? 'This flag is archived: restore it to change it.' : undefined}>
            <button type="button" className="primary" disabled={!dirty || save.isPending} onClick={onSave}>
              {save.isPending ? 'Saving…' : 'Save'}
            </button>
          </WriteGuard>
        </>
      }
    >
      <p role="status" className="save-status">
        {status}
      </p>
      {blockedReason !== undefined && (
        <p id={reasonId} className="notice">
          {blockedReason}
        </p>
      )}
      {newerVersion && (
        <p className="notice" role="status">
          Version {newerVersion.version} was saved elsewhere while you were editing. Saving will show you the differences first.
        </p>
      )}
      {(problems.unmapped.length > 0 || Object.keys(errors).length > 0) && (
        <div ref={summaryRef} tabIndex={-1} className="notice error problem-summary" role="alert" aria-labelledby="problem-summary-title">
          <h2 id="problem-summary-title">The flag was not saved</h2>
          {Object.keys(errors).length > 0 && (
            <p>
              {Object.keys(errors).length} field{Object.keys(errors).length === 1 ? ' has' : 's have'} a problem, marked below:{' '}
              {Object.keys(errors).map((path, index) => (
                <span key={path}>
                  {index > 0 && ', '}
                  <a href={`#${fieldDomId(path)}`}>{path}</a>
                </span>
              ))}
            </p>
          )}
          {problems.unmapped.length > 0 && (
            <ul>
              {problems.unmapped.map((problem, index) => (
                <li key={index}>
                  {problem.path !== '' && <code>{relativeToFlag(problem.path, key) || problem.path}</code>} {problem.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}

      <section className="flag-section flag-state" aria-labelledby="state-heading">
        <h2 id="state-heading">State</h2>
        <div className="state-row">
          <WriteGuard blockedBecause={archived ? 'Archived flags are out of the served document.' : undefined}>
            {(guard) => (
              <span className="switch-row">
                <Switch.Root
                  id="flag-enabled"
                  className="switch"
                  checked={enabled}
                  disabled={guard.disabled || toggle.isPending}
                  aria-describedby={guard.reasonId}
                  onCheckedChange={(next) => setPendingToggle(next)}
                >
                  <Switch.Thumb className="switch-thumb" />
                </Switch.Root>
                <label htmlFor="flag-enabled">{enabled ? 'On: serving its rules' : 'Off: serving the off variant'}</label>
              </span>
            )}
          </WriteGuard>
          <ConfirmDialog
            open={pendingToggle !== undefined}
            onOpenChange={(open) => !open && setPendingToggle(undefined)}
            title={pendingToggle ? `Turn ${key} on?` : `Turn ${key} off?`}
            description={pendingToggle ? `Every SDK in ${env} starts serving its rules within seconds.` : `Every SDK in ${env} serves the off variant (or its own default) within seconds.`}
            confirmLabel={pendingToggle ? 'Turn on' : 'Turn off'}
            danger={pendingToggle === false}
            onConfirm={() => onToggle(pendingToggle === true)}
          />
          <WriteGuard hideReason>
            {(guard) => (
              <ConfirmDialog
                trigger={
                  <button type="button" className={archived ? undefined : 'danger'} disabled={guard.disabled} aria-describedby={guard.reasonId}>
                    {archived ? 'Restore flag' : 'Archive flag'}
                  </button>
                }
                title={archived ? `Restore ${key}?` : `Archive ${key}?`}
                description={
                  archived
                    ? `The flag goes back into the ${env} document as it was.`
                    : `The flag leaves the ${env} document: SDKs stop seeing it and use their defaults. Its definition and history are kept; you can restore it.`
                }
                confirmLabel={archived ? 'Restore flag' : 'Archive flag'}
                danger={!archived}
                onConfirm={() => archive.mutateAsync(!archived).then((saved) => setStatus(archived ? `Restored (version ${saved.version}).` : 'Archived.'))}
              />
            )}
          </WriteGuard>
        </div>
      </section>

      <fieldset className="flag-form" disabled={disabled} aria-describedby={blockedReason !== undefined ? reasonId : undefined}>
        <legend className="visually-hidden">Definition of {key}</legend>
        <MetadataSection draft={draft} onChange={setDraft} errors={errors} disabled={disabled} />
        <VariantsSection
          rows={rows}
          draft={draft}
          errors={errors}
          disabled={disabled}
          onChange={(nextRows, nextDraft) => {
            setRows(nextRows);
            setDraft(nextDraft);
          }}
        />
        <TargetsSection draft={draft} onChange={setDraft} variants={variants} errors={errors} disabled={disabled} />
        <RulesSection draft={draft} onChange={setDraft} variants={variants} segments={segmentKeys} errors={errors} disabled={disabled} announce={setStatus} />
        <section className="flag-section" aria-labelledby="default-heading">
          <h2 id="default-heading">Default serve and rollout</h2>
          <p className="muted">What every context gets that no target or rule matched.</p>
          <RolloutSlider value={draft.defaultServe} onChange={(defaultServe) => setDraft({ ...draft, defaultServe })} variants={variants} flagKey={key} disabled={disabled} />
          <ServeEditor path="defaultServe" label="Default" value={draft.defaultServe} onChange={(defaultServe) => setDraft({ ...draft, defaultServe })} variants={variants} errors={errors} disabled={disabled} />
        </section>
        <PrerequisitesSection flagKey={key} draft={draft} onChange={setDraft} flags={environmentFlags.data ?? []} errors={errors} disabled={disabled} />
      </fieldset>

      <section className="flag-section" aria-labelledby="release-heading">
        <h2 id="release-heading">Release and experiment</h2>
        <ul className="link-list">
          <li>
            <Link to={`/env/${encodeURIComponent(env)}/releases`}>Release plans in {env}</Link> — scheduled rollouts, guardrails and the circuit breaker.
          </li>
          <li>
            <Link to={`/env/${encodeURIComponent(env)}/experiments/${encodeURIComponent(key)}`}>Experiment results for {key}</Link>
            {draft.kind === 'experiment' ? '' : ' (when it runs as an experiment)'}.
          </li>
        </ul>
      </section>

      <TestContext env={env} flagKey={key} />

      <ConflictDialog
        conflict={conflict}
        busy={save.isPending}
        {...(conflictError !== undefined ? { error: conflictError } : {})}
        onClose={() => {
          setConflict(undefined);
          setConflictError(undefined);
        }}
        onReloadTheirs={() => {
          if (!conflict?.current) return;
          load(conflict.current);
          setProblems(NO_PROBLEMS);
          setConflict(undefined);
          setStatus(`Loaded version ${conflict.current.version}; your edit was discarded.`);
        }}
        onReapplyMine={() => {
          if (!conflict?.current) return;
          const mine = conflict.mine;
          submit(mine, conflict.current.version).catch((error: unknown) => {
            if (error instanceof ApiError && error.status === 412) return failed(error, mine);
            setConflict(undefined);
            failed(error, mine);
          });
        }}
      />
    </Page>
  );
}
