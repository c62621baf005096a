import type { DefinitionProblem } from '@halyard/core';

/**
 * An error that becomes a JSON response `{ error: { code, message, ...details } }`.
 * Everything a request can trigger on purpose is an HttpError; anything else is a bug and becomes a 500.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(statusCode: number, code: string, message: string, details?: Record<string, unknown>, headers?: Record<string, string>) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

export const badRequest = (message: string, problems?: DefinitionProblem[]): HttpError =>
  new HttpError(400, 'bad_request', message, problems ? { problems } : undefined);

export const notFound = (what: string): HttpError => new HttpError(404, 'not_found', `${what} not found`);

export const conflict = (message: string): HttpError => new HttpError(409, 'conflict', message);

export const invalidDefinitions = (problems: DefinitionProblem[]): HttpError =>
  new HttpError(
    400,
    'invalid_definitions',
    `The change would make the environment's flag document invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing was written`,
    { problems },
  );

export const versionConflict = (current: number | null): HttpError =>
  current === null
    ? new HttpError(412, 'version_conflict', 'The precondition failed: the resource does not exist (or no longer exists)', { currentVersion: null })
    : new HttpError(
        412,
        'version_conflict',
        `If-Match does not match the current version ${current}; someone else changed it. Re-read the resource and retry with If-Match: "${current}"`,
        { currentVersion: current },
        { etag: `"${current}"` },
      );
