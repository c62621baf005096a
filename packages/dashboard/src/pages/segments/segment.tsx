import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import type { Condition, SegmentDefinition } from '@halyard/core';
import { ApiError } from '../../api/client';
import { useSaveSegment, useSegment, useSegments, type StoredSegment } from '../../api/segments';
import { useSession } from '../../api/session';
import { ConditionsEditor, conditionFieldPaths } from '../../components/condition-editor';
import { DiffView } from '../../components/diff-view';
import { Field } from '../../components/field';
import { Page } from '../../components/page';
import { WriteGuard } from '../../components/write-guard';
import { segmentProblems } from './problems';
import { referencedSegments, rolloutOf, rolloutPercentage } from './segment-summary';
import '../environments/admin.css';

/** What the form edits: the definition, with id lists as text (one id per line) and the rollout as a percentage. */
interface Draft {
  description: string;
  attribute: string;
  included: string;
  excluded: string;
  conditions: Condition[];
  rolloutOn: boolean;
  percentage: string;
  bucketBy: string;
}

const MAX_IDS = 10_000;

function draftOf(definition: SegmentDefinition): Draft {
  return {
    description: definition.description ?? '',
    attribute: definition.attribute ?? '',
    included: (definition.included ?? []).join('\n'),
    excluded: (definition.excluded ?? []).join('\n'),
    conditions: [...(definition.conditions ?? [])],
    rolloutOn: definition.rollout !== undefined,
    percentage: definition.rollout ? String(rolloutPercentage(definition.rollout)) : '10',
    bucketBy: definition.rollout?.bucketBy ?? '',
  };
}

function ids(text: string): string[] {
  return [...new Set(text.split(/[\n,]/).map((id) => id.trim()).filter((id) => id !== ''))].slice(0, MAX_IDS);
}

/** The definition to save: the draft over the stored one, so fields the form does not show (salt, seed) survive. */
function definitionOf(draft: Draft, stored: SegmentDefinition): SegmentDefinition {
  const { description: _d, attribute: _a, included: _i, excluded: _e, conditions: _c, rollout, ...rest } = stored;
  const out: SegmentDefinition = { ...rest };
  if (draft.description.trim()) out.description = draft.description.trim();
  if (draft.attribute.trim()) out.attribute = draft.attribute.trim();
  const included = ids(draft.included);
  const excluded = ids(draft.excluded);
  if (included.length) out.included = included;
  if (excluded.length) out.excluded = excluded;
  if (draft.conditions.length) out.conditions = draft.conditions;
  if (draft.rolloutOn) {
    const percentage = Number(draft.percentage);
    const base = rollout && rolloutPercentage(rollout) === percentage ? { weight: rollout.weight, total: rollout.total } : rolloutOf(Number.isFinite(percentage) ? percentage : Number.NaN);
    const { bucketBy: _b, weight: _w, total: _t, ...kept } = rollout ?? { weight: 0, total: 0 };
    out.rollout = { ...kept, ...base, ...(draft.bucketBy.trim() ? { bucketBy: draft.bucketBy.trim() } : {}) };
  }
  return out;
}

function Conflict({ error, mine, current, onReload, onOverwrite }: { error: ApiError; mine: SegmentDefinition; current: StoredSegment | undefined; onReload: () => void; onOverwrite: () => void }) {
  const last = error.details.lastChange as { actor?: string; action?: string; at?: string } | undefined;
  return (
    <section role="alert" className="notice warning stack" aria-labelledby="conflict-title">
      <h2 id="conflict-title">Someone else changed this segment</h2>
      <p>
        {last?.actor ? `${last.actor} (${last.action ?? 'a change'}) at ${last.at ? new Date(last.at).toLocaleString() : 'an unknown time'}` : 'Another change'} saved version{' '}
        {String(error.details.currentVersion ?? '?')} while you were editing. Your changes are not saved.
      </p>
      {current !== undefined && <DiffView before={current.definition} after={mine} caption="Their version (before) and yours (after)" />}
      <div className="row-actions start">
        <button type="button" onClick={onReload}>
          Discard mine and reload
        </button>
        <button type="button" className="danger" onClick={onOverwrite} disabled={current === undefined}>
          Save mine over theirs
        </button>
      </div>
    </section>
  );
}

function Editor({ env, stored }: { env: string; stored: StoredSegment }) {
  const { canWrite } = useSession();
  const save = useSaveSegment(env, stored.key);
  const all = useSegments(env);
  const [draft, setDraft] = useState<Draft>(() => draftOf(stored.definition));
  const [base, setBase] = useState<StoredSegment>(stored);
  const [saved, setSaved] = useState('');
  const definition = useMemo(() => definitionOf(draft, base.definition), [draft, base]);
  const dirty = JSON.stringify(definition) !== JSON.stringify(base.definition);

  // A live change while the form is untouched: follow it (an edited form keeps its draft and meets the 412 on save).
  useEffect(() => {
    if (stored.version !== base.version && !dirty) {
      setBase(stored);
      setDraft(draftOf(stored.definition));
    }
  }, [stored, base.version, dirty]);

  const fields = ['description', 'attribute', 'included', 'excluded', 'rollout', 'rollout.weight', 'rollout.total', 'rollout.bucketBy', ...conditionFieldPaths('conditions', draft.conditions)];
  const problems = save.error instanceof ApiError ? save.error.problems : [];
  const mapped = segmentProblems(problems, stored.key, fields);
  const errors = mapped.fields;
  const conflict = save.error instanceof ApiError && save.error.status === 412 ? save.error : undefined;
  const otherSegments = (all.data ?? []).map((segment) => segment.key).filter((key) => key !== stored.key);
  const nested = referencedSegments(draft.conditions);
  const set = <K extends keyof Draft>(name: K, value: Draft[K]) => {
    setSaved('');
    setDraft((current) => ({ ...current, [name]: value }));
  };

  const submit = (event?: FormEvent, version = base.version) => {
    event?.preventDefault();
    save.mutate(
      { definition, version },
      {
        onSuccess: (next) => {
          setBase(next);
          setDraft(draftOf(next.definition));
          setSaved(`Saved version ${next.version}.`);
        },
      },
    );
  };

  return (
    <form onSubmit={submit} className="stack segment-form" aria-label={`Edit segment ${stored.key}`} noValidate>
      {conflict && (
        <Conflict
          error={conflict}
          mine={definition}
          current={stored.version !== base.version ? stored : undefined}
          onReload={() => {
            setBase(stored);
            setDraft(draftOf(stored.definition));
            save.reset();
          }}
          onOverwrite={() => submit(undefined, stored.version)}
        />
      )}
      {!conflict && save.isError && (problems.length === 0 || mapped.unmapped.length > 0) && (
        <div role="alert" className="notice error">
          <p>The segment was not saved: {problems.length === 0 ? save.error.message : 'fix the problems below.'}</p>
          {mapped.unmapped.length > 0 && (
            <ul>
              {mapped.unmapped.map((problem) => (
                <li key={problem.path + problem.message}>
                  <code>{problem.path}</code>: {problem.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <Field label="Description" error={errors['description']}>
        <input value={draft.description} onChange={(event) => set('description', event.target.value)} disabled={!canWrite} maxLength={1000} />
      </Field>

      <fieldset className="segment-fieldset">
        <legend>Always and never</legend>
        <Field label="Unit attribute" description="The context attribute holding the id checked against the lists below (default userId)." error={errors['attribute']}>
          <input value={draft.attribute} onChange={(event) => set('attribute', event.target.value)} placeholder="userId" disabled={!canWrite} maxLength={200} />
        </Field>
        <Field label="Included ids" description="Always members, whatever the conditions. One id per line." error={errors['included']}>
          <textarea rows={4} value={draft.included} onChange={(event) => set('included', event.target.value)} disabled={!canWrite} spellCheck={false} />
        </Field>
        <Field label="Excluded ids" description="Never members (wins over included). One id per line." error={errors['excluded']}>
          <textarea rows={3} value={draft.excluded} onChange={(event) => set('excluded', event.target.value)} disabled={!canWrite} spellCheck={false} />
        </Field>
      </fieldset>

      <fieldset className="segment-fieldset">
        <legend>Conditions (all must match)</legend>
        <p className="muted">
          Use the <code>inSegment</code> operator to build on other segments.
          {nested.length > 0 && (
            <>
              {' '}
              This segment uses:{' '}
              {nested.map((key, index) => (
                <span key={key}>
                  {index > 0 && ', '}
                  <Link to={`/env/${encodeURIComponent(env)}/segments/${encodeURIComponent(key)}`}>{key}</Link>
                </span>
              ))}
              .
            </>
          )}
        </p>
        {errors['conditions'] && <p className="field-error">{errors['conditions']}</p>}
        <ConditionsEditor value={draft.conditions} onChange={(conditions) => set('conditions', conditions)} segments={otherSegments} errors={errors} path="conditions" disabled={!canWrite} />
      </fieldset>

      <fieldset className="segment-fieldset">
        <legend>Percentage rollout</legend>
        <label className="checkbox">
          <input type="checkbox" checked={draft.rolloutOn} onChange={(event) => set('rolloutOn', event.target.checked)} disabled={!canWrite} /> Only a percentage of the matching units
        </label>
        {errors['rollout'] && <p className="field-error">{errors['rollout']}</p>}
        {draft.rolloutOn && (
          <>
            <Field label="Percentage of units" description="Up to three decimals. A unit is in or out in every flag that uses this segment." error={errors['rollout.weight'] ?? errors['rollout.total']}>
              <input type="number" min={0} max={100} step={0.001} inputMode="decimal" value={draft.percentage} onChange={(event) => set('percentage', event.target.value)} disabled={!canWrite} />
            </Field>
            <Field label="Bucket by" description="The attribute that identifies a unit (default userId); units without it are out." error={errors['rollout.bucketBy']}>
              <input value={draft.bucketBy} onChange={(event) => set('bucketBy', event.target.value)} placeholder="userId" disabled={!canWrite} maxLength={200} />
            </Field>
          </>
        )}
      </fieldset>

      <div className="row-actions start">
        <WriteGuard>
          <button type="submit" className="primary" disabled={save.isPending || !dirty}>
            {save.isPending ? 'Saving…' : 'Save segment'}
          </button>
        </WriteGuard>
        <button type="button" disabled={!dirty || save.isPending} onClick={() => {
            setDraft(draftOf(base.definition));
            save.reset();
          }}>
          Discard changes
        </button>
      </div>
      <p role="status" className="muted">
        {saved}
      </p>
    </form>
  );
}

/** `/env/:env/segments/:id`: edit a segment (conditions, included/excluded ids, nested segments, rollout). */
export default function SegmentPage() {
  const params = useParams();
  const env = params.env ?? 'production';
  const key = params.id ?? '';
  const segment = useSegment(env, key);
  return (
    <Page
      title={`Segment ${key}`}
      description={
        <>
          In <code>{env}</code>
          {segment.data && ` · version ${segment.data.version}, updated ${new Date(segment.data.updatedAt).toLocaleString()}`} ·{' '}
          <Link to={`/env/${encodeURIComponent(env)}/segments`}>All segments</Link>
        </>
      }
      documentTitle={`Segment ${key}`}
    >
      {segment.isPending && <p role="status">Loading the segment…</p>}
      {segment.isError && (
        <p role="alert" className="notice error">
          {segment.error instanceof ApiError && segment.error.status === 404 ? `There is no segment ${key} in ${env}.` : `Could not load the segment: ${segment.error.message}`}
        </p>
      )}
      {segment.data && <Editor key={`${env}/${key}`} env={env} stored={segment.data} />}
    </Page>
  );
}
