import { useState, type FormEvent } from 'react';
import { Dialog } from 'radix-ui';
import { ApiError } from '../../api/client';
import { useCreateEnvironment, useDeleteEnvironment, useEnvironments, useRenameEnvironment, type Environment } from '../../api/environments';
import { useSession } from '../../api/session';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Field } from '../../components/field';
import { Page } from '../../components/page';
import './admin.css';

const ADMIN_ONLY = 'Only admin tokens can change environments.';

function errorText(error: unknown): string | undefined {
  if (error === null || error === undefined) return undefined;
  if (error instanceof ApiError) return error.problems.length > 0 ? error.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ') : error.message;
  return error instanceof Error ? error.message : String(error);
}

function CreateEnvironment({ environments }: { environments: Environment[] }) {
  const create = useCreateEnvironment();
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [copyFrom, setCopyFrom] = useState('');
  const [created, setCreated] = useState<string | undefined>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { key: key.trim(), ...(name.trim() ? { name: name.trim() } : {}), ...(copyFrom ? { copyFrom } : {}) },
      {
        onSuccess: (env) => {
          setCreated(env.key);
          setKey('');
          setName('');
          setCopyFrom('');
        },
      },
    );
  };
  const keyError = create.error instanceof ApiError ? create.error.problems.find((problem) => /key/.test(problem.path))?.message : undefined;
  return (
    <section aria-labelledby="new-environment" className="admin-section">
      <h2 id="new-environment">New environment</h2>
      <form onSubmit={submit} className="admin-form">
        <Field label="Key" description="Letters, digits and . _ : - (used in URLs and SDK keys)." required error={keyError}>
          <input value={key} onChange={(event) => setKey(event.target.value)} required maxLength={200} autoComplete="off" />
        </Field>
        <Field label="Name" description="Shown in the dashboard; defaults to the key.">
          <input value={name} onChange={(event) => setName(event.target.value)} maxLength={200} autoComplete="off" />
        </Field>
        <Field label="Copy flags and segments from" description="Archived flags stay behind.">
          <select value={copyFrom} onChange={(event) => setCopyFrom(event.target.value)}>
            <option value="">Nothing (start empty)</option>
            {environments.map((env) => (
              <option key={env.key} value={env.key}>
                {env.name} ({env.key})
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="primary" disabled={create.isPending || key.trim() === ''}>
          {create.isPending ? 'Creating…' : 'Create environment'}
        </button>
        {create.isError && !keyError && (
          <p role="alert" className="error-text">
            {errorText(create.error)}
          </p>
        )}
        <p role="status" className="muted">
          {created !== undefined && !create.isPending ? `Environment ${created} created.` : ''}
        </p>
      </form>
    </section>
  );
}

function RenameEnvironment({ env }: { env: Environment }) {
  const rename = useRenameEnvironment();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(env.name);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    rename.mutate({ key: env.key, name: name.trim() }, { onSuccess: () => setOpen(false) });
  };
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) {
          setName(env.name);
          rename.reset();
        }
      }}
    >
      <Dialog.Trigger asChild>
        <button type="button" aria-label={`Rename ${env.key}`}>
          Rename
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog-content">
          <Dialog.Title className="dialog-title">Rename {env.key}</Dialog.Title>
          <Dialog.Description className="dialog-description">The key stays the same: SDK keys and URLs keep working.</Dialog.Description>
          <form onSubmit={submit}>
            <Field label="Name" required error={errorText(rename.error)}>
              <input value={name} onChange={(event) => setName(event.target.value)} required maxLength={200} autoComplete="off" />
            </Field>
            <div className="dialog-actions">
              <Dialog.Close asChild>
                <button type="button">Cancel</button>
              </Dialog.Close>
              <button type="submit" className="primary" disabled={rename.isPending || name.trim() === ''}>
                {rename.isPending ? 'Saving…' : 'Save name'}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function DeleteEnvironment({ env }: { env: Environment }) {
  const remove = useDeleteEnvironment();
  const [typed, setTyped] = useState('');
  return (
    <ConfirmDialog
      trigger={
        <button type="button" className="danger" aria-label={`Delete ${env.key}`}>
          Delete
        </button>
      }
      onOpenChange={(open) => open && setTyped('')}
      title={`Delete environment ${env.key}?`}
      description="Its flags, segments and SDK keys are deleted with it, and SDKs reading it stop getting flags at once. This cannot be undone."
      confirmLabel="Delete environment"
      danger
      onConfirm={() => (typed === env.key ? remove.mutateAsync(env.key) : Promise.reject(new Error(`Type ${env.key} exactly to confirm.`)))}
    >
      <Field label={`Type ${env.key} to confirm`}>
        <input value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" spellCheck={false} />
      </Field>
    </ConfirmDialog>
  );
}

/** `/environments`: list, create (optionally copying another), rename, delete with a typed confirmation. */
export default function EnvironmentsPage() {
  const { isAdmin, me } = useSession();
  const environments = useEnvironments();
  const list = environments.data ?? [];
  return (
    <Page title="Environments" description="Each environment has its own flags document, segments and SDK keys.">
      {environments.isPending && <p role="status">Loading environments…</p>}
      {environments.isError && (
        <p role="alert" className="notice error">
          Could not load environments: {errorText(environments.error)}
        </p>
      )}
      {environments.isSuccess && (
        <div className="table-scroll">
          <table className="admin-table">
            <caption className="visually-hidden">Environments</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Name</th>
                <th scope="col">Version</th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((env) => (
                <tr key={env.key}>
                  <th scope="row">
                    <code>{env.key}</code>
                  </th>
                  <td>{env.name}</td>
                  <td>{env.version}</td>
                  <td>
                    <time dateTime={env.updatedAt}>{new Date(env.updatedAt).toLocaleString()}</time>
                  </td>
                  <td>
                    {isAdmin && (
                      <div className="row-actions">
                        <RenameEnvironment env={env} />
                        <DeleteEnvironment env={env} />
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.length === 0 && <p>No environments yet.</p>}
        </div>
      )}
      {isAdmin ? (
        <CreateEnvironment environments={list} />
      ) : (
        me !== undefined && <p className="notice">{ADMIN_ONLY} You are signed in as {me.role}.</p>
      )}
    </Page>
  );
}
