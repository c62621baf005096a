import { CliError, type Problem } from './errors';

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses that are not errors besides 2xx (e.g. 404 for "does it exist?"). */
  accept?: number[];
  /** The 412 message, given the current version the service reports. */
  onConflict?: (currentVersion: number | null) => string;
  /** Upload progress for large bodies: called with bytes sent so far and the total. */
  onUpload?: (sent: number, total: number) => void;
  timeoutMs?: number;
}

interface ServiceError {
  code?: string;
  message?: string;
  problems?: Problem[];
  currentVersion?: number | null;
}

const UPLOAD_CHUNK = 64 * 1024;

/** The admin API over fetch. Every failure becomes a CliError whose message says what to do. */
export class ApiClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${this.token}`, ...options.headers };
    let body: BodyInit | undefined;
    let duplex: 'half' | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      const bytes = Buffer.from(JSON.stringify(options.body));
      if (options.onUpload && bytes.length > UPLOAD_CHUNK) {
        // Streamed in chunks so a progress bar can follow a large import.
        const report = options.onUpload;
        let offset = 0;
        body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (offset >= bytes.length) {
              controller.close();
              return;
            }
            const end = Math.min(offset + UPLOAD_CHUNK, bytes.length);
            controller.enqueue(bytes.subarray(offset, end));
            offset = end;
            report(offset, bytes.length);
          },
        });
        duplex = 'half';
      } else {
        body = bytes;
      }
    }
    const timeoutMs = options.timeoutMs ?? 60_000;
    let response: Response;
    try {
      response = await fetch(this.url + path, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
        ...(duplex ? { duplex } : {}),
      } as RequestInit);
    } catch (error) {
      throw unreachable(this.url, error, timeoutMs);
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    const ok = (response.status >= 200 && response.status < 300) || response.status === 304 || options.accept?.includes(response.status);
    if (!ok) throw this.failure(method, path, response.status, parsed, options);
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  private failure(method: string, path: string, status: number, body: unknown, options: RequestOptions): CliError {
    const error: ServiceError =
      typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'object' ? ((body as { error: ServiceError }).error ?? {}) : {};
    const serviceMessage = error.message ?? (typeof body === 'string' && body !== '' ? body.slice(0, 300) : `HTTP ${status}`);
    const details = {
      status,
      ...(error.code !== undefined ? { code: error.code } : {}),
      ...(error.problems !== undefined ? { problems: error.problems } : {}),
      ...(error.currentVersion !== undefined ? { currentVersion: error.currentVersion } : {}),
    };
    switch (status) {
      case 401:
        return new CliError(
          `the service at ${this.url} refused the token (401: ${serviceMessage}); run \`halyard login\` or pass a valid admin token with --token or HALYARD_TOKEN`,
          1,
          details,
        );
      case 403:
        return new CliError(`not allowed (403): ${serviceMessage}`, 1, details);
      case 412:
        return new CliError(options.onConflict ? options.onConflict(error.currentVersion ?? null) : `conflict (412): ${serviceMessage}`, 1, details);
      case 429:
        return new CliError(`too many failed attempts from this address (429): ${serviceMessage}`, 1, details);
      default:
        if (status >= 500) return new CliError(`the service failed on ${method} ${path} (${status}): ${serviceMessage}`, 1, details);
        return new CliError(serviceMessage.replace(/\.$/, ''), 1, details);
    }
  }
}

function unreachable(url: string, error: unknown, timeoutMs: number): CliError {
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new CliError(`no answer from ${url} within ${Math.round(timeoutMs / 1000)} s: is the service overloaded or behind a proxy that holds the request?`, 1, {
      code: 'timeout',
    });
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return new CliError(`cannot reach ${url}: is \`halyard serve\` running? (${reason})`, 1, { code: 'unreachable' });
}
