import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../../api/client';
import { createSession, safeNext } from '../../api/session';
import { Field } from '../../components/field';

function describeFailure(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'That token was not accepted. Check that you pasted the whole admin token (it starts with hy_admin_) and that it has not been revoked.';
    if (error.status === 429) {
      const seconds = Number(error.headers?.get('retry-after'));
      const wait = Number.isFinite(seconds) && seconds > 0 ? `${Math.ceil(seconds)} seconds` : 'a minute';
      return `Too many failed sign-in attempts. Wait ${wait}, then try again.`;
    }
    if (error.status === 400) return 'Enter an admin token.';
    return `The service could not sign you in (${error.message}). Try again in a moment.`;
  }
  return 'The service could not be reached. Check your connection and try again.';
}

/** Sign-in with an admin token; the service answers with an HttpOnly session cookie. */
export default function SignInPage() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = 'Sign in · Halyard';
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (token.trim() === '') {
      setError('Enter an admin token.');
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await createSession(token.trim());
      queryClient.clear(); // nothing from a previous session may show
      navigate(safeNext(params.get('next')), { replace: true });
    } catch (failure) {
      setError(describeFailure(failure));
      setBusy(false);
      input.current?.focus();
    }
  };

  return (
    <main className="sign-in" id="main">
      <h1>Sign in to Halyard</h1>
      {params.get('reason') === 'expired' && <p className="notice">Your session ended. Sign in again to continue.</p>}
      <form onSubmit={submit} noValidate>
        <Field label="Admin token" description="An admin token (hy_admin_…) from `halyard keys create` or the Keys page. It is exchanged for a session; the token itself is not stored in the browser." error={error} required>
          <input ref={input} type="password" name="token" autoComplete="current-password" spellCheck={false} value={token} onChange={(event) => setToken(event.target.value)} />
        </Field>
        <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p role="alert" className="visually-hidden">
        {error}
      </p>
    </main>
  );
}
