/**
 * The service's domain errors, declared once. The store and the services throw these and know nothing of HTTP;
 * the one error handler (`http/error-handler.ts`) maps each class to a status and an error code in one table.
 * Anything else thrown while serving a request is a bug (500) or an unavailable database (503).
 */

/** One thing wrong with the input, with the JSON path it is at (`$.flags["a"].offVariant`, `query.limit`). */
export interface Problem {
  path: string;
  message: string;
}

/** The last recorded change of a resource: who made it, what it was and when (from the audit log). */
export interface LastChange {
  actor: string;
  action: string;
  at: string;
}

/** The request is malformed or breaks a rule; `problems` (when given) name the fields. */
export class ValidationError extends Error {
  readonly problems: Problem[] | undefined;

  constructor(message: string, problems?: Problem[]) {
    super(message);
    this.name = 'ValidationError';
    this.problems = problems;
  }

  /** One problem at one path; the message reads `path: reason`. */
  static at(path: string, message: string): ValidationError {
    return new ValidationError(`${path}: ${message}`, [{ path, message }]);
  }
}

/** A request body is not JSON (or holds a forbidden key). */
export class InvalidJsonError extends ValidationError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidJsonError';
  }
}

/** The change would make the environment's flag document invalid (core's `parseDefinitions` said so). */
export class InvalidDefinitionsError extends Error {
  readonly problems: Problem[];

  constructor(problems: Problem[]) {
    super(
      `The change would make the environment's flag document invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing was written`,
    );
    this.name = 'InvalidDefinitionsError';
    this.problems = problems;
  }
}

export class NotFoundError extends Error {
  /** `what`: e.g. `Flag "a" in environment "production"`. */
  constructor(what: string) {
    super(`${what} not found`);
    this.name = 'NotFoundError';
  }
}

/** The resource already exists, or the change contradicts its state. */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** The write would leave no active admin token: nobody could manage keys any more (409 `last_admin`). */
export class LastAdminError extends ConflictError {
  constructor(message: string) {
    super(message);
    this.name = 'LastAdminError';
  }
}

/** The flag is archived: changes are refused until it is restored. */
export class ArchivedError extends ConflictError {
  readonly problems: Problem[] | undefined;

  constructor(message: string, problems?: Problem[]) {
    super(message);
    this.name = 'ArchivedError';
    this.problems = problems;
  }
}

/**
 * A conditional write (`If-Match`) named a version that is no longer current: someone else changed the resource.
 * `currentVersion` is `null` when the resource does not exist; `lastChange` says who changed it, when known.
 */
export class PreconditionFailedError extends Error {
  readonly currentVersion: number | null;
  lastChange: LastChange | undefined;

  constructor(currentVersion: number | null, message?: string, lastChange?: LastChange) {
    super(
      message ??
        (currentVersion === null
          ? 'The precondition failed: the resource does not exist (or no longer exists)'
          : `If-Match does not match the current version ${currentVersion}; someone else changed it. Re-read the resource and retry with If-Match: "${currentVersion}"`),
    );
    this.name = 'PreconditionFailedError';
    this.currentVersion = currentVersion;
    this.lastChange = lastChange;
  }
}

/** A blind replacement of an existing resource: the write needs the version it replaces. */
export class PreconditionRequiredError extends Error {
  constructor(
    message: string,
    readonly currentVersion: number,
  ) {
    super(message);
    this.name = 'PreconditionRequiredError';
  }
}

/** No credentials, or credentials that match no active key. `challenge` is the `WWW-Authenticate` value. */
export class UnauthorizedError extends Error {
  constructor(
    message: string,
    readonly challenge: string,
  ) {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

/** A valid key without the permission the endpoint needs. */
export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** A cookie-authenticated write without the dashboard's CSRF header, or from another origin. */
export class CsrfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsrfError';
  }
}

/** Too many failed authentications from the client's address. */
export class TooManyAttemptsError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed authentication attempts from this address; retry in ${retryAfterSeconds} s`);
    this.name = 'TooManyAttemptsError';
  }
}

/** The stored document of an environment can no longer be compiled (a bug or a manual database edit). */
export class BrokenDocumentError extends Error {
  constructor(env: string) {
    super(`The stored flag document of environment "${env}" could not be compiled`);
    this.name = 'BrokenDocumentError';
  }
}

/** A key sent more than its share (events per second): retry after `retryAfterSeconds`. */
export class RateLimitedError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'RateLimitedError';
  }
}

/** A bounded queue is full (the service is behind): retry after `retryAfterSeconds`; nothing was accepted. */
export class QueueFullError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'QueueFullError';
  }
}

/** An `Idempotency-Key` reused for a different request (another body or query): 422, nothing was written. */
export class IdempotencyKeyReusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** The first request with this `Idempotency-Key` has not finished yet: retry after `retryAfterSeconds`. */
export class IdempotencyKeyInUseError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'IdempotencyKeyInUseError';
  }
}
