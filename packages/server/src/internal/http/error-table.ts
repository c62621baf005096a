import {
  ArchivedError,
  BrokenDocumentError,
  ConflictError,
  CsrfError,
  ForbiddenError,
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  InvalidDefinitionsError,
  InvalidJsonError,
  LastAdminError,
  NotFoundError,
  PreconditionFailedError,
  PreconditionRequiredError,
  QueueFullError,
  RateLimitedError,
  TooManyAttemptsError,
  UnauthorizedError,
  ValidationError,
} from '../errors';

/** How an error is answered: `{ error: { code, message, ...details } }` with this status and headers. */
export interface HttpAnswer {
  status: number;
  code: string;
  message: string;
  details: Record<string, unknown>;
  headers: Record<string, string>;
}

type ErrorClass = abstract new (...args: never[]) => Error;

interface Rule<E extends Error> {
  type: abstract new (...args: never[]) => E;
  status: number;
  code: string;
  details?: (error: E) => Record<string, unknown>;
  headers?: (error: E) => Record<string, string>;
}

const rule = <E extends Error>(r: Rule<E>): Rule<Error> => r as unknown as Rule<Error>;
const problems = (error: { problems?: unknown[] | undefined }) => (error.problems ? { problems: error.problems } : {});

/**
 * Every domain error and its HTTP answer, in one table. Subclasses come before their base class (the first match
 * wins). Errors not listed here are bugs (500) unless the database is unavailable (503).
 */
export const ERROR_TABLE: readonly Rule<Error>[] = [
  rule({ type: InvalidJsonError, status: 400, code: 'invalid_json' }),
  rule({ type: ValidationError, status: 400, code: 'bad_request', details: problems }),
  rule({ type: InvalidDefinitionsError, status: 400, code: 'invalid_definitions', details: problems }),
  rule({ type: UnauthorizedError, status: 401, code: 'unauthorized', headers: (e) => ({ 'www-authenticate': e.challenge }) }),
  rule({ type: ForbiddenError, status: 403, code: 'forbidden' }),
  rule({ type: CsrfError, status: 403, code: 'csrf' }),
  rule({ type: NotFoundError, status: 404, code: 'not_found' }),
  rule({ type: ArchivedError, status: 409, code: 'archived', details: problems }),
  rule({ type: LastAdminError, status: 409, code: 'last_admin' }),
  rule({ type: ConflictError, status: 409, code: 'conflict' }),
  rule({ type: IdempotencyKeyInUseError, status: 409, code: 'idempotency_key_in_use', headers: (e) => ({ 'retry-after': String(e.retryAfterSeconds) }) }),
  rule({ type: IdempotencyKeyReusedError, status: 422, code: 'idempotency_key_reused' }),
  rule({
    type: PreconditionFailedError,
    status: 412,
    code: 'version_conflict',
    details: (e) => ({ currentVersion: e.currentVersion, ...(e.lastChange ? { lastChange: e.lastChange } : {}) }),
    headers: (e): Record<string, string> => (e.currentVersion === null ? {} : { etag: `"${e.currentVersion}"` }),
  }),
  rule({ type: PreconditionRequiredError, status: 428, code: 'precondition_required', details: (e) => ({ currentVersion: e.currentVersion }) }),
  rule({ type: TooManyAttemptsError, status: 429, code: 'too_many_failed_attempts', headers: (e) => ({ 'retry-after': String(e.retryAfterSeconds) }) }),
  rule({ type: RateLimitedError, status: 429, code: 'rate_limited', headers: (e) => ({ 'retry-after': String(e.retryAfterSeconds) }) }),
  rule({ type: BrokenDocumentError, status: 500, code: 'internal' }),
  rule({ type: QueueFullError, status: 503, code: 'queue_full', headers: (e) => ({ 'retry-after': String(e.retryAfterSeconds) }) }),
];

/** Fastify's own request errors (bodies, content types, URLs) and their codes. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_BAD_URL: 'bad_request',
  FST_ERR_ASYNC_CONSTRAINT: 'bad_request',
};

/** The answer for a domain error or a Fastify 4xx; `undefined` for anything else (a bug, or the database). */
export function httpAnswer(error: unknown): HttpAnswer | undefined {
  if (!(error instanceof Error)) return undefined;
  for (const entry of ERROR_TABLE) {
    if (error instanceof (entry.type as ErrorClass)) {
      return { status: entry.status, code: entry.code, message: error.message, details: entry.details?.(error) ?? {}, headers: entry.headers?.(error) ?? {} };
    }
  }
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, code: FASTIFY_CODES[(error as { code?: string }).code ?? ''] ?? 'bad_request', message: error.message, details: {}, headers: {} };
  }
  return undefined;
}

/** Database failures that mean "unavailable", not "bug": connection refused/reset, shutdown, too many clients. */
export function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300', '08000', '08003', '08006'].includes(code) ||
      /Connection terminated|timeout exceeded/i.test(String((error as Error).message)))
  );
}
