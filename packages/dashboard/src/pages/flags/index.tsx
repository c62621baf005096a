import { useEffect, useId, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { Switch } from 'radix-ui';
import { useFlagsOverview, useToggleFlag, type FlagEnvironmentState, type FlagSummary } from '../../api/flags';
import { subscribeLiveChanges } from '../../api/live';
import { useSession } from '../../api/session';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Page } from '../../components/page';
import { SelectControl } from '../../components/select';
import { WriteGuard } from '../../components/write-guard';
import { applyFilters, facetValues, hasFilters, readFilters, statusLabel, withFilter, STATUS_FILTERS, type FlagFilters } from './filters';
import './flags.css';

const ALL = 'all';
const VERBS: Record<string, string> = {
  'flag.toggle': 'flipped the kill switch of',
  'flag.rollout': 'changed the rollout of',
  'flag.update': 'edited',
  'flag.create': 'created',
  'flag.delete': 'deleted',
  'flag.archive': 'archived',
  'flag.restore': 'restored',
};
/** How long a change this page made is "ours" when its stream event comes back (not announced twice). */
const OWN_CHANGE_MS = 10_000;
const STATUS_LABELS: Record<(typeof STATUS_FILTERS)[number], string> = { on: 'On', off: 'Off', 'rolling-out': 'Rolling out', stale: 'Stale', expired: 'Expired' };

interface PendingToggle {
  key: string;
  enabled: boolean;
  state: FlagEnvironmentState;
}

function FilterSelect({ label, name, value, values, allLabel, labels, onChange }: { label: string; name: string; value: string | undefined; values: readonly string[]; allLabel: string; labels?: Record<string, string>; onChange: (value: string | undefined) => void }) {
  const id = `filter-${name}`;
  return (
    <div className="filter">
      <label htmlFor={id}>{label}</label>
      <SelectControl
        id={id}
        value={value ?? ALL}
        onValueChange={(next) => onChange(next === ALL ? undefined : next)}
        options={[{ value: ALL, label: allLabel }, ...values.map((v) => ({ value: v, label: labels?.[v] ?? v }))]}
      />
    </div>
  );
}

function EnvironmentStates({ flag, environments, current }: { flag: FlagSummary; environments: readonly string[]; current: string }) {
  return (
    <ul className="env-states" aria-label={`${flag.key} in every environment`}>
      {environments.map((env) => {
        const state = flag.environments[env];
        return (
          <li key={env} className={env === current ? 'current' : undefined}>
            <span className="env-name">{env}</span>{' '}
            {state === undefined ? (
              <span className="badge off">not defined</span>
            ) : (
              <>
                <span className={`badge ${state.status}`}>{statusLabel(state)}</span>
                {state.lifecycle !== 'active' && <span className={`badge ${state.lifecycle}`}>{state.lifecycle}</span>}
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** `/env/:env/flags`: every flag, its state in every environment, and this environment's kill switch. */
export default function FlagsPage() {
  const env = useParams().env!;
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const overview = useFlagsOverview(env);
  const toggle = useToggleFlag(env);
  const { writeBlockedReason } = useSession();
  const [pending, setPending] = useState<PendingToggle | undefined>();
  const [announcement, setAnnouncement] = useState('');
  const [failure, setFailure] = useState('');
  const searchId = useId();
  const blockedId = useId();
  const filtersId = useId();
  // On narrow screens the pickers fold away so the list (and its kill switches) is on the first screen.
  const [filtersOpen, setFiltersOpen] = useState(false);
  const activeFilters = [filters.tag, filters.kind, filters.owner, filters.status].filter((value) => value !== undefined).length + (filters.sort === 'key' ? 0 : 1);

  // Other people's changes to this environment's flags are announced too; this page's own are announced above.
  const ownChanges = useRef(new Map<string, number>());
  useEffect(
    () =>
      subscribeLiveChanges((change) => {
        if (change.resource !== 'flag' || change.env !== env || change.key === null) return;
        const own = ownChanges.current.get(change.key);
        if (own !== undefined && Date.now() - own < OWN_CHANGE_MS) return;
        setAnnouncement(`${change.actor} ${VERBS[change.action] ?? 'changed'} ${change.key} in ${env}.`);
      }),
    [env],
  );

  const setFilter = (name: keyof FlagFilters, value: string | undefined) => setParams(withFilter(params, name, value), { replace: true });

  const confirmToggle = () => {
    if (pending === undefined) return;
    const { key, enabled } = pending;
    const verb = enabled ? 'on' : 'off';
    setFailure('');
    ownChanges.current.set(key, Date.now());
    setAnnouncement(`Turning ${key} ${verb} in ${env}…`);
    toggle.mutate(
      { key, enabled },
      {
        onSuccess: () => setAnnouncement(`${key} is now ${verb} in ${env}.`),
        onError: (error) => {
          setAnnouncement('');
          setFailure(`Could not turn ${key} ${verb} in ${env}: ${error.message} The switch is back where it was.`);
        },
      },
    );
  };

  const data = overview.data;
  const environments = data?.environments ?? [];
  const all = data?.flags ?? [];
  const shown = applyFilters(all, env, filters);

  let body;
  if (overview.isPending) body = <p role="status">Loading flags…</p>;
  else if (overview.error) {
    body = (
      <div role="alert" className="notice error">
        <p>Could not load the flags: {overview.error.message}</p>
        <button type="button" onClick={() => void overview.refetch()}>
          Try again
        </button>
      </div>
    );
  } else if (data !== undefined && !environments.includes(env)) {
    body = (
      <p className="notice">
        There is no environment called <code>{env}</code>. Pick one in the environment switcher, or create it on the <Link to="/environments">Environments</Link> page.
      </p>
    );
  } else if (all.length === 0) {
    body = (
      <div className="notice">
        <p>No flags yet.</p>
        <p>
          Create one from the CLI (<code>halyard flags create</code>) or with <code>PUT /api/v1/environments/{env}/flags/&lt;key&gt;</code>; it appears here at once.
        </p>
      </div>
    );
  } else {
    body = (
      <>
        <p className="muted" aria-live="polite" data-testid="flag-count">
          {shown.length === all.length ? `${all.length} flags` : `${shown.length} of ${all.length} flags`}
        </p>
        {shown.length === 0 ? (
          <div className="notice">
            <p>No flags match these filters.</p>
            <button type="button" onClick={() => setParams(filters.sort === 'key' ? {} : { sort: filters.sort }, { replace: true })}>
              Clear filters
            </button>
          </div>
        ) : (
          <table className="flags-table">
            <caption className="visually-hidden">Flags in {env}, with their state in every environment</caption>
            <thead>
              <tr>
                <th scope="col">Flag</th>
                <th scope="col">Kill switch ({env})</th>
                <th scope="col">Environments</th>
                <th scope="col">Updated in {env}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((flag) => {
                const state = flag.environments[env];
                return (
                  <tr key={flag.key} data-flag={flag.key}>
                    <td className="flag-cell">
                      <Link to={`/env/${encodeURIComponent(env)}/flags/${encodeURIComponent(flag.key)}`} className="flag-key">
                        {flag.key}
                      </Link>
                      {flag.description !== undefined && <p className="flag-description">{flag.description}</p>}
                      <p className="flag-meta">
                        {flag.kind !== undefined && <span>Kind: {flag.kind}</span>}
                        {flag.owner !== undefined && <span>Owner: {flag.owner}</span>}
                        {flag.tags.length > 0 && <span>Tags: {flag.tags.join(', ')}</span>}
                      </p>
                    </td>
                    <td className="switch-cell" data-label={`Kill switch (${env})`}>
                      {state === undefined ? (
                        <span className="muted">Not in {env}</span>
                      ) : (
                        <WriteGuard hideReason blockedBecause={state.status === 'archived' ? `${flag.key} is archived in ${env}: restore it on its page first.` : undefined}>
                          {(guard) => (
                            <span className="switch-row">
                              <Switch.Root
                                className="switch"
                                checked={state.enabled}
                                disabled={guard.disabled}
                                aria-label={`Kill switch for ${flag.key} in ${env}`}
                                aria-describedby={guard.reasonId}
                                onCheckedChange={(enabled) => setPending({ key: flag.key, enabled, state })}
                              >
                                <Switch.Thumb className="switch-thumb" />
                              </Switch.Root>
                              <span className="switch-state" aria-hidden="true">
                                {state.enabled ? 'On' : 'Off'}
                              </span>
                            </span>
                          )}
                        </WriteGuard>
                      )}
                    </td>
                    <td data-label="Environments">
                      <EnvironmentStates flag={flag} environments={environments} current={env} />
                    </td>
                    <td data-label={`Updated in ${env}`}>{state === undefined ? '—' : <time dateTime={state.updatedAt}>{formatTime(state.updatedAt)}</time>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </>
    );
  }

  const tags = facetValues(all, (flag) => flag.tags);
  const kinds = facetValues(all, (flag) => [flag.kind]);
  const owners = facetValues(all, (flag) => [flag.owner]);

  return (
    <Page title={`Flags in ${env}`} documentTitle={`Flags · ${env}`}>
      {writeBlockedReason !== undefined && (
        <p id={blockedId} className="notice">
          Read-only: {writeBlockedReason}
        </p>
      )}
      <form role="search" aria-label="Filter flags" className="flag-filters" onSubmit={(event) => event.preventDefault()}>
        <div className="filter filter-search">
          <label htmlFor={searchId}>Search</label>
          <input id={searchId} type="search" placeholder="Key or description" value={filters.q} onChange={(event) => setFilter('q', event.target.value)} />
        </div>
        <button type="button" className="filters-toggle" aria-expanded={filtersOpen} aria-controls={filtersId} onClick={() => setFiltersOpen(!filtersOpen)}>
          {filtersOpen ? 'Hide filters' : `Filters${activeFilters > 0 ? ` (${activeFilters} on)` : ''}`}
        </button>
        <div id={filtersId} className={filtersOpen ? 'filter-selects open' : 'filter-selects'}>
          <FilterSelect label="Tag" name="tag" value={filters.tag} values={tags} allLabel="All tags" onChange={(v) => setFilter('tag', v)} />
          <FilterSelect label="Kind" name="kind" value={filters.kind} values={kinds} allLabel="All kinds" onChange={(v) => setFilter('kind', v)} />
          <FilterSelect label="Owner" name="owner" value={filters.owner} values={owners} allLabel="All owners" onChange={(v) => setFilter('owner', v)} />
          <FilterSelect label={`Status in ${env}`} name="status" value={filters.status} values={STATUS_FILTERS} labels={STATUS_LABELS} allLabel="Any status" onChange={(v) => setFilter('status', v)} />
          <div className="filter">
            <label htmlFor="flags-sort">Sort by</label>
            <SelectControl
              id="flags-sort"
              value={filters.sort}
              onValueChange={(v) => setFilter('sort', v)}
              options={[
                { value: 'key', label: 'Key (A–Z)' },
                { value: 'updated', label: 'Recently updated' },
              ]}
            />
          </div>
        </div>
        {hasFilters(filters) && (
          <button type="button" className="link" onClick={() => setParams(filters.sort === 'key' ? {} : { sort: filters.sort }, { replace: true })}>
            Clear filters
          </button>
        )}
      </form>
      <p role="status" className="announcement" data-testid="announcement">
        {announcement}
      </p>
      <p role="alert" className="error-text" data-testid="toggle-error">
        {failure}
      </p>
      {body}
      <ConfirmDialog
        open={pending !== undefined}
        onOpenChange={(open) => {
          if (!open) setPending(undefined);
        }}
        title={pending === undefined ? '' : `Turn ${pending.key} ${pending.enabled ? 'on' : 'off'} in ${env}?`}
        description={
          pending === undefined
            ? ''
            : pending.enabled
              ? `${pending.key} starts serving its rules and default again in ${env}${pending.state.rollout === undefined ? '' : ` (rolled out to ${pending.state.rollout}%)`}. SDKs pick it up within seconds. Other environments do not change.`
              : `Every SDK in ${env} stops evaluating ${pending.key}'s rules and serves its off variant within seconds. Other environments do not change. You can turn it back on here.`
        }
        confirmLabel={pending === undefined ? 'Confirm' : `Turn ${pending.enabled ? 'on' : 'off'}`}
        danger={pending?.enabled === false}
        onConfirm={confirmToggle}
      />
    </Page>
  );
}
