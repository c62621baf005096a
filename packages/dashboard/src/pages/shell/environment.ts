const STORAGE_KEY = 'halyard.env';

export function rememberedEnvironment(): string | undefined {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function rememberEnvironment(env: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, env);
  } catch {
    // storage blocked: `/` falls back to the first environment
  }
}

/** The environment `/` opens: the remembered one while it still exists, else the first. */
export function pickEnvironment(keys: readonly string[], remembered: string | undefined): string | undefined {
  if (remembered !== undefined && keys.includes(remembered)) return remembered;
  return keys[0];
}

/** The same page in another environment: `/env/a/flags?q=x` → `/env/b/flags?q=x`. */
export function switchEnvironmentPath(pathname: string, search: string, env: string): string {
  const match = /^\/env\/[^/]+(\/.*)?$/.exec(pathname);
  const rest = match?.[1] ?? '/flags';
  return `/env/${encodeURIComponent(env)}${rest}${match ? search : ''}`;
}
