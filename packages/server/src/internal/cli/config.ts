import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './errors';

/** What `halyard login` stores: the service URL and an admin token for it. */
export interface CliConfig {
  url: string;
  token: string;
}

export const DEFAULT_URL = 'http://127.0.0.1:4242';

/** `HALYARD_CONFIG`, else `$XDG_CONFIG_HOME/halyard/config.json`, else `~/.config/halyard/config.json`. */
export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.HALYARD_CONFIG) return env.HALYARD_CONFIG;
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'halyard', 'config.json');
}

export function readConfig(path: string): CliConfig | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}; fix it or run \`halyard login\` again`);
  }
  const config = parsed as Partial<CliConfig> | null;
  if (typeof config !== 'object' || config === null || typeof config.url !== 'string' || typeof config.token !== 'string') {
    throw new CliError(`${path} is not a halyard config ({ "url": "…", "token": "…" }); run \`halyard login\` again`);
  }
  return { url: config.url, token: config.token };
}

/** The token is a secret: the file is created 0600 (directory 0700) and written atomically. */
export function writeConfig(path: string, config: CliConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // The mode argument is filtered by the umask; make sure.
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

export function removeConfig(path: string): boolean {
  if (!existsSync(path)) return false;
  rmSync(path);
  return true;
}

/** True when group or others may read the file (someone copied it around or created it by hand). */
export function tooOpen(path: string): boolean {
  try {
    return (statSync(path).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

/** Removes a trailing slash and checks the URL is http(s). */
export function normaliseUrl(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`${source}: "${value}" is not a URL; use e.g. ${DEFAULT_URL}`, 2);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`${source}: "${value}" must be an http:// or https:// URL`, 2);
  return value.replace(/\/+$/, '');
}
