import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import { useEnvironments } from '../../api/environments';
import { useCreateKey, useKeys, useRevokeKey, type ApiKey, type KeyType, type NewApiKey } from '../../api/keys';
import { useSession, type Role } from '../../api/session';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Field } from '../../components/field';
import { Page } from '../../components/page';
import { TableScroll } from '../environments/table-scroll';
import '../environments/admin.css';

const TYPE_HELP: Record<KeyType, string> = {
  sdk: 'Server SDKs: reads every flag and its rules in one environment.',
  client: 'Browsers and apps: evaluated values for one environment, no rules.',
  admin: 'People and tools: the admin API, with a role.',
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The token of a key just created: shown once, with a copy button whose outcome is announced. */
function NewToken({ created, onDone }: { created: NewApiKey; onDone: () => void }) {
  const [copied, setCopied] = useState<string>('');
  const copy = () => {
    navigator.clipboard.writeText(created.token).then(
      () => setCopied('Token copied to the clipboard.'),
      () => setCopied('Copying failed: select the token and copy it by hand.'),
    );
  };
  return (
    <section className="notice success stack" aria-labelledby="new-token-title">
      <h2 id="new-token-title">Key “{created.name}” created</h2>
      <p>Copy the token now: it is shown only this once (the service keeps only its hash).</p>
      <div className="token-box">
        <code data-testid="new-token" aria-label="New token">{created.token}</code>
        <button type="button" className="primary" onClick={copy}>
          Copy token
        </button>
        <button type="button" onClick={onDone}>
          I have stored it
        </button>
      </div>
      <p role="status" aria-live="polite">
        {copied}
      </p>
    </section>
  );
}

function CreateKey({ onCreated }: { onCreated: (key: NewApiKey) => void }) {
  const create = useCreateKey();
  const environments = useEnvironments();
  const [type, setType] = useState<KeyType>('sdk');
  const [name, setName] = useState('');
  const [environment, setEnvironment] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const envs = environments.data ?? [];
  const chosenEnv = environment || envs[0]?.key || '';
  const problems = create.error instanceof ApiError ? create.error.problems : [];
  const problemAt = (name: string) => problems.find((problem) => problem.path.endsWith(name))?.message;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input = type === 'admin' ? { type, name: name.trim(), role } : { type, name: name.trim(), environment: chosenEnv };
    create.mutate(input, {
      onSuccess: (key) => {
        setName('');
        onCreated(key);
      },
    });
  };
  return (
    <section aria-labelledby="new-key" className="admin-section">
      <h2 id="new-key">New key</h2>
      <form onSubmit={submit} className="admin-form">
        <Field label="Type" description={TYPE_HELP[type]}>
          <select value={type} onChange={(event) => setType(event.target.value as KeyType)}>
            <option value="sdk">SDK (server)</option>
            <option value="client">Client (browser)</option>
            <option value="admin">Admin token</option>
          </select>
        </Field>
        <Field label="Name" description="Who or what uses it, e.g. “checkout service”." required error={problemAt('name')}>
          <input value={name} onChange={(event) => setName(event.target.value)} required maxLength={200} autoComplete="off" />
        </Field>
        {type === 'admin' ? (
          <Field label="Role" description="Viewers read; editors change flags and segments; admins also manage environments and keys." error={problemAt('role')}>
            <select value={role} onChange={(event) => setRole(event.target.value as Role)}>
              <option value="viewer">Viewer</option>
              <option value="editor">Editor</option>
              <option value="admin">Admin</option>
            </select>
          </Field>
        ) : (
          <Field label="Environment" error={problemAt('environment')}>
            <select value={chosenEnv} onChange={(event) => setEnvironment(event.target.value)}>
              {envs.map((env) => (
                <option key={env.key} value={env.key}>
                  {env.name} ({env.key})
                </option>
              ))}
            </select>
          </Field>
        )}
        <button type="submit" className="primary" disabled={create.isPending || name.trim() === '' || (type !== 'admin' && chosenEnv === '')}>
          {create.isPending ? 'Creating…' : 'Create key'}
        </button>
        {create.isError && problems.length === 0 && (
          <p role="alert" className="error-text">
            {messageOf(create.error)}
          </p>
        )}
      </form>
    </section>
  );
}

function scopeOf(key: ApiKey): string {
  return key.type === 'admin' ? `role ${key.role ?? '?'}` : `environment ${key.environment ?? '?'}`;
}

function RevokeKey({ apiKey, self }: { apiKey: ApiKey; self: boolean }) {
  const revoke = useRevokeKey();
  return (
    <ConfirmDialog
      trigger={
        <button type="button" className="danger" aria-label={`Revoke ${apiKey.name}`}>
          Revoke
        </button>
      }
      title={`Revoke “${apiKey.name}”?`}
      description={
        self
          ? 'This is the token you are signed in with: revoking it ends your session. Anything using it stops working at once.'
          : `Anything using this ${apiKey.type} key (${scopeOf(apiKey)}) stops working at once, and its open streams close. This cannot be undone.`
      }
      confirmLabel="Revoke key"
      danger
      onConfirm={() =>
        revoke.mutateAsync(apiKey.id).catch((error: unknown) => {
          // The service refuses to revoke the last admin token (409); its message says why, so show it as is.
          if (error instanceof ApiError && error.status === 409) throw new Error(error.message);
          throw error;
        })
      }
    />
  );
}

/** `/keys`: every active API key, create (the token shown once) and revoke. Admin only, like the API. */
export default function KeysPage() {
  const { isAdmin, me, isPending } = useSession();
  const keys = useKeys(isAdmin);
  const [created, setCreated] = useState<NewApiKey | undefined>();
  if (!isPending && !isAdmin)
    return (
      <Page title="API keys">
        <p className="notice">Only admin tokens can see and manage API keys. You are signed in as {me?.role ?? 'unknown'}.</p>
      </Page>
    );
  const list = keys.data ?? [];
  return (
    <Page title="API keys" description="SDK and client keys read one environment; admin tokens use the admin API with a role.">
      {created !== undefined && <NewToken created={created} onDone={() => setCreated(undefined)} />}
      {keys.isPending && <p role="status">Loading keys…</p>}
      {keys.isError && (
        <p role="alert" className="notice error">
          Could not load keys: {messageOf(keys.error)}
        </p>
      )}
      {keys.isSuccess && (
        <TableScroll label="Active API keys">
          <table className="admin-table wide">
            <caption className="visually-hidden">Active API keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Scope</th>
                <th scope="col">Token starts with</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((key) => (
                <tr key={key.id} data-key-id={key.id}>
                  <th scope="row">
                    {key.name}
                    {key.id === me?.id && <span className="muted"> (you)</span>}
                  </th>
                  <td>{key.type}</td>
                  <td>{scopeOf(key)}</td>
                  <td>
                    <code>{key.prefix}…</code>
                  </td>
                  <td>
                    <time dateTime={key.createdAt}>{new Date(key.createdAt).toLocaleString()}</time>
                    {key.createdBy !== null && <span className="muted"> by {key.createdBy}</span>}
                  </td>
                  <td>
                    <div className="row-actions">
                      <RevokeKey apiKey={key} self={key.id === me?.id} />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <CreateKey onCreated={setCreated} />
    </Page>
  );
}
