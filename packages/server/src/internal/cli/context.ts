import { readFileSync } from 'node:fs';
import { ApiClient } from './client';
import { DEFAULT_URL, configPath, normaliseUrl, readConfig, tooOpen, type CliConfig } from './config';
import { CliError, usageError } from './errors';
import type { Palette, Stream } from './output';

/** Parsed option values (node:util parseArgs). */
export type Values = Record<string, string | boolean | undefined>;

/** Everything a command needs: its arguments, where to print, and the service it talks to. */
export class Context {
  private client: ApiClient | undefined;
  private loadedConfig: CliConfig | undefined | null = null;

  constructor(
    readonly values: Values,
    /** Positional arguments after the command words. */
    readonly args: string[],
    readonly stdout: Stream,
    readonly stderr: Stream,
    readonly colors: Palette,
    readonly errColors: Palette,
    readonly processEnv: NodeJS.ProcessEnv,
  ) {}

  get json(): boolean {
    return this.values.json === true;
  }

  /** `--env`, else HALYARD_ENV, else development. */
  get env(): string {
    const env = this.string('env') ?? this.processEnv.HALYARD_ENV ?? 'development';
    if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(env)) throw usageError(`--env: "${env}" is not an environment key (lower-case letters, digits, "-", "_")`);
    return env;
  }

  /** Whether an environment was named explicitly (some commands filter by it only then). */
  get envGiven(): boolean {
    return this.string('env') !== undefined || (this.processEnv.HALYARD_ENV ?? '') !== '';
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  /** Human output on stdout; `--json` prints the data instead. */
  print(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  printJson(data: unknown): void {
    this.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  }

  /** Secondary human information (warnings, hints) on stderr, so stdout stays clean for pipes. */
  note(text: string): void {
    this.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  config(): CliConfig | undefined {
    if (this.loadedConfig === null) {
      const path = configPath(this.processEnv);
      this.loadedConfig = readConfig(path);
      if (this.loadedConfig && tooOpen(path)) this.note(this.errColors.yellow(`warning: ${path} is readable by other users; run: chmod 600 ${path}`));
    }
    return this.loadedConfig;
  }

  /** `--url`, else HALYARD_URL, else the URL saved by `halyard login`, else http://127.0.0.1:4242. */
  url(): string {
    const flag = this.string('url');
    if (flag !== undefined) return normaliseUrl(flag, '--url');
    if (this.processEnv.HALYARD_URL) return normaliseUrl(this.processEnv.HALYARD_URL, 'HALYARD_URL');
    const saved = this.config();
    return saved ? normaliseUrl(saved.url, configPath(this.processEnv)) : DEFAULT_URL;
  }

  /**
   * `--token`, else HALYARD_TOKEN, else the token saved by `halyard login` — the saved token only for the URL it
   * was saved for, so pointing the CLI at another service never sends it there.
   */
  token(): string | undefined {
    const flag = this.string('token');
    if (flag !== undefined) return flag;
    if (this.processEnv.HALYARD_TOKEN) return this.processEnv.HALYARD_TOKEN;
    const saved = this.config();
    if (saved && normaliseUrl(saved.url, 'config') === this.url()) return saved.token;
    return undefined;
  }

  api(): ApiClient {
    if (this.client) return this.client;
    const url = this.url();
    const token = this.token();
    if (token === undefined || token === '') {
      throw new CliError(`no admin token for ${url}: run \`halyard login --url ${url}\`, or pass --token or set HALYARD_TOKEN`, 1, { code: 'no_token' });
    }
    return (this.client = new ApiClient(url, token));
  }

  /** Reads a file, or standard input for "-". */
  readInput(path: string): string {
    try {
      return readFileSync(path === '-' ? 0 : path, 'utf8');
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new CliError(code === 'ENOENT' ? `cannot read ${path}: no such file` : `cannot read ${path}: ${(error as Error).message}`);
    }
  }

  readJson(path: string): unknown {
    const text = this.readInput(path);
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new CliError(`${path === '-' ? 'standard input' : path} is not valid JSON: ${(error as Error).message}`, 1, { code: 'invalid_json' });
    }
  }
}

export const encode = (segment: string): string => encodeURIComponent(segment);
