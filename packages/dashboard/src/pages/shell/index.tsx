import { Suspense, useEffect, useState } from 'react';
import { Navigate, NavLink, Outlet, useLocation, useMatch, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { Dialog, DropdownMenu, Tooltip } from 'radix-ui';
import { ApiError } from '../../api/client';
import { useLiveChanges, type LiveStatus } from '../../api/live';
import { sessionEvents, UNAUTHORIZED } from '../../api/query-client';
import { deleteSession, useSession } from '../../api/session';
import { SelectControl } from '../../components/select';
import { useEnvironments } from '../../api/environments';
import { pickEnvironment, rememberEnvironment, rememberedEnvironment, switchEnvironmentPath } from './environment';
import { useTheme, type ThemeChoice } from './theme';

const ENV_PAGES = [
  { path: 'flags', label: 'Flags' },
  { path: 'evaluate', label: 'Evaluate' },
  { path: 'segments', label: 'Segments' },
  { path: 'releases', label: 'Releases' },
  { path: 'experiments', label: 'Experiments' },
] as const;
const GLOBAL_PAGES = [
  { path: '/audit', label: 'Audit' },
  { path: '/environments', label: 'Environments' },
  { path: '/keys', label: 'Keys' },
] as const;

function signInPath(location: { pathname: string; search: string }, reason?: string): string {
  const next = encodeURIComponent(location.pathname + location.search);
  return `/sign-in?next=${next}${reason === undefined ? '' : `&reason=${reason}`}`;
}

/** The environment the URL names, else the remembered or first one (for links from global pages). */
function useCurrentEnvironment(): { env: string | undefined; fromUrl: boolean } {
  const match = useMatch('/env/:env/*');
  const environments = useEnvironments();
  const fromUrl = match?.params.env;
  useEffect(() => {
    if (fromUrl !== undefined) rememberEnvironment(fromUrl);
  }, [fromUrl]);
  if (fromUrl !== undefined) return { env: fromUrl, fromUrl: true };
  return { env: pickEnvironment(environments.data?.map((e) => e.key) ?? [], rememberedEnvironment()), fromUrl: false };
}

function Navigation({ env, onNavigate }: { env: string | undefined; onNavigate?: () => void }) {
  return (
    <ul>
      {env !== undefined &&
        ENV_PAGES.map((page) => (
          <li key={page.path}>
            <NavLink to={`/env/${encodeURIComponent(env)}/${page.path}`} onClick={onNavigate}>
              {page.label}
            </NavLink>
          </li>
        ))}
      {GLOBAL_PAGES.map((page) => (
        <li key={page.path}>
          <NavLink to={page.path} onClick={onNavigate}>
            {page.label}
          </NavLink>
        </li>
      ))}
    </ul>
  );
}

function MobileMenu({ env }: { env: string | undefined }) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger asChild>
        <button type="button" className="shell-menu-button" aria-label="Open navigation menu">
          <span aria-hidden="true">☰</span> Menu
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog-content">
          <Dialog.Title className="dialog-title">Navigation</Dialog.Title>
          <Dialog.Description className="visually-hidden">Pages of the Halyard dashboard</Dialog.Description>
          <nav aria-label="Main (menu)" className="mobile-nav">
            <Navigation env={env} onNavigate={() => setOpen(false)} />
          </nav>
          <div className="dialog-actions">
            <Dialog.Close asChild>
              <button type="button">Close</button>
            </Dialog.Close>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function EnvironmentSwitcher({ env }: { env: string | undefined }) {
  const environments = useEnvironments();
  const location = useLocation();
  const navigate = useNavigate();
  const options = (environments.data ?? []).map((e) => ({ value: e.key, label: e.name.toLowerCase() === e.key.toLowerCase() ? e.name : `${e.name} (${e.key})` }));
  if (env !== undefined && !options.some((option) => option.value === env)) options.unshift({ value: env, label: env });
  if (options.length === 0) return null;
  return (
    <span className="shell-env">
      <label htmlFor="environment-switcher" className="visually-hidden">
        Environment
      </label>
      <SelectControl
        id="environment-switcher"
        value={env ?? ''}
        options={options}
        onValueChange={(next) => {
          rememberEnvironment(next);
          navigate(switchEnvironmentPath(location.pathname, location.search, next));
        }}
      />
    </span>
  );
}

const THEME_LABELS: Record<ThemeChoice, string> = { light: 'Light', dark: 'Dark', system: 'System' };

function ThemeMenu() {
  const [theme, setTheme] = useTheme();
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger asChild>
        <button type="button" aria-label={`Theme: ${THEME_LABELS[theme]}`}>
          Theme: {THEME_LABELS[theme]}
        </button>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu-content" sideOffset={4} align="end">
          <DropdownMenu.RadioGroup value={theme} onValueChange={(value) => setTheme(value as ThemeChoice)}>
            {(Object.keys(THEME_LABELS) as ThemeChoice[]).map((choice) => (
              <DropdownMenu.RadioItem key={choice} value={choice} className="menu-item">
                <DropdownMenu.ItemIndicator aria-hidden="true">✓ </DropdownMenu.ItemIndicator>
                {THEME_LABELS[choice]}
              </DropdownMenu.RadioItem>
            ))}
          </DropdownMenu.RadioGroup>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}

const LIVE_TEXT: Record<LiveStatus, string> = { connecting: 'Connecting…', live: 'Live', offline: 'Offline: reconnecting' };

function LiveIndicator({ status }: { status: LiveStatus }) {
  return (
    <span className="live-status" data-state={status} data-testid="live-status" title="Changes made elsewhere appear here without reloading while this says Live">
      <span className="live-dot" aria-hidden="true" />
      <span>
        <span className="visually-hidden">Updates: </span>
        {LIVE_TEXT[status]}
      </span>
    </span>
  );
}

function SignOutButton() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        try {
          await deleteSession();
        } catch {
          // an already-ended session is signed out too
        }
        queryClient.clear();
        navigate('/sign-in', { replace: true });
      }}
    >
      Sign out
    </button>
  );
}

/** Mounted once inside the signed-in shell, so one stream serves every page. */
function SignedInShell() {
  const session = useSession();
  const { env } = useCurrentEnvironment();
  const live = useLiveChanges();
  const me = session.me!;
  return (
    <Tooltip.Provider delayDuration={300}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="shell-header">
        <NavLink to="/" className="shell-brand">
          Halyard
        </NavLink>
        <MobileMenu env={env} />
        <div className="shell-tools">
          <EnvironmentSwitcher env={env} />
          <LiveIndicator status={live} />
          <span className="shell-user" data-testid="signed-in-as">
            {me.name} · {me.role}
          </span>
          <ThemeMenu />
          <SignOutButton />
        </div>
        <nav aria-label="Main" className="shell-nav">
          <Navigation env={env} />
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p role="status" className="page">Loading…</p>}>
          <Outlet />
        </Suspense>
      </main>
    </Tooltip.Provider>
  );
}

/** The frame around every page but sign-in: checks the session, and sends a 401 (anywhere) to /sign-in. */
export default function Shell() {
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();

  useEffect(() => {
    const onUnauthorized = () => {
      if (!window.location.pathname.startsWith('/sign-in')) navigate(signInPath(window.location, 'expired'), { replace: true });
    };
    sessionEvents.addEventListener(UNAUTHORIZED, onUnauthorized);
    return () => sessionEvents.removeEventListener(UNAUTHORIZED, onUnauthorized);
  }, [navigate]);

  if (session.error instanceof ApiError && session.error.status === 401) return <Navigate to={signInPath(location)} replace />;
  if (session.me !== undefined) return <SignedInShell />; // a failed re-check (service briefly down) keeps the page
  if (session.isPending) return <p role="status">Loading…</p>;
  return (
    <main id="main" className="page">
      <h1>Halyard</h1>
      <p role="alert" className="notice error">
        The service could not be reached ({session.error?.message ?? 'no answer'}).{' '}
        <button type="button" onClick={() => void session.refetch()}>
          Try again
        </button>
      </p>
    </main>
  );
}

/** `/`: the remembered environment's flags while it exists, else the first environment's. */
export function HomeRedirect() {
  const environments = useEnvironments();
  if (environments.isPending) return <p role="status" className="page">Loading…</p>;
  if (environments.error) return <p role="alert" className="page notice error">Could not load the environments: {environments.error.message}</p>;
  const env = pickEnvironment(environments.data.map((e) => e.key), rememberedEnvironment());
  if (env === undefined) {
    return (
      <div className="page">
        <h1>No environments yet</h1>
        <p>
          Create one on the <NavLink to="/environments">Environments</NavLink> page to start adding flags.
        </p>
      </div>
    );
  }
  return <Navigate to={`/env/${encodeURIComponent(env)}/flags`} replace />;
}
