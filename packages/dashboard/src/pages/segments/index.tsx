import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { useCreateSegment, useDeleteSegment, useSegments, type StoredSegment } from '../../api/segments';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Field } from '../../components/field';
import { Page } from '../../components/page';
import { WriteGuard } from '../../components/write-guard';
import { describeSegment } from './segment-summary';
import '../environments/admin.css';

function CreateSegment({ env }: { env: string }) {
  const create = useCreateSegment(env);
  const navigate = useNavigate();
  const [key, setKey] = useState('');
  const [description, setDescription] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = key.trim();
    create.mutate(
      { key: trimmed, definition: description.trim() ? { description: description.trim() } : {} },
      { onSuccess: () => navigate(`/env/${encodeURIComponent(env)}/segments/${encodeURIComponent(trimmed)}`) },
    );
  };
  const problems = create.error instanceof ApiError ? create.error.problems : [];
  const keyError = problems.find((problem) => /key/.test(problem.path))?.message;
  return (
    <section aria-labelledby="new-segment" className="admin-section">
      <h2 id="new-segment">New segment</h2>
      <form onSubmit={submit} className="admin-form">
        <Field label="Key" description="Letters, digits and . _ : -; flags reference it by this key." required error={keyError}>
          <input value={key} onChange={(event) => setKey(event.target.value)} required maxLength={200} autoComplete="off" />
        </Field>
        <Field label="Description">
          <input value={description} onChange={(event) => setDescription(event.target.value)} maxLength={1000} autoComplete="off" />
        </Field>
        <WriteGuard>
          <button type="submit" className="primary" disabled={create.isPending || key.trim() === ''}>
            {create.isPending ? 'Creating…' : 'Create segment'}
          </button>
        </WriteGuard>
        {create.isError && keyError === undefined && (
          <p role="alert" className="error-text">
            {create.error.message}
          </p>
        )}
      </form>
    </section>
  );
}

function DeleteSegment({ env, segment }: { env: string; segment: StoredSegment }) {
  const remove = useDeleteSegment(env);
  return (
    <WriteGuard hideReason>
      {(guard) => (
        <ConfirmDialog
          trigger={
            <button type="button" className="danger" aria-label={`Delete ${segment.key}`} disabled={guard.disabled} aria-describedby={guard.reasonId}>
              Delete
            </button>
          }
          title={`Delete segment ${segment.key}?`}
          description={`Flags and segments in ${env} that reference it must stop first: the service refuses while any does. This cannot be undone.`}
          confirmLabel="Delete segment"
          danger
          onConfirm={() => remove.mutateAsync(segment.key)}
        />
      )}
    </WriteGuard>
  );
}

/** `/env/:env/segments`: the segments of an environment, create and delete. */
export default function SegmentsPage() {
  const env = useParams().env ?? 'production';
  const segments = useSegments(env);
  const list = segments.data ?? [];
  return (
    <Page title="Segments" description={`Reusable groups of users in ${env}: flags target them with the inSegment operator.`}>
      {segments.isPending && <p role="status">Loading segments…</p>}
      {segments.isError && (
        <p role="alert" className="notice error">
          Could not load segments: {segments.error.message}
        </p>
      )}
      {segments.isSuccess &&
        (list.length === 0 ? (
          <p>No segments in {env} yet.</p>
        ) : (
          <div className="table-scroll">
            <table className="admin-table">
              <caption className="visually-hidden">Segments in {env}</caption>
              <thead>
                <tr>
                  <th scope="col">Segment</th>
                  <th scope="col">Members</th>
                  <th scope="col">Updated</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((segment) => (
                  <tr key={segment.key}>
                    <th scope="row">
                      <Link to={`/env/${encodeURIComponent(env)}/segments/${encodeURIComponent(segment.key)}`}>{segment.key}</Link>
                      {segment.definition.description && <div className="muted">{segment.definition.description}</div>}
                    </th>
                    <td>{describeSegment(segment.definition)}</td>
                    <td>
                      <time dateTime={segment.updatedAt}>{new Date(segment.updatedAt).toLocaleString()}</time> (v{segment.version})
                    </td>
                    <td>
                      <div className="row-actions">
                        <DeleteSegment env={env} segment={segment} />
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <CreateSegment env={env} />
    </Page>
  );
}
