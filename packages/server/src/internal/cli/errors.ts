/** Exit codes: 0 success, 1 the operation failed, 2 the command line is wrong. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface Problem {
  path: string;
  message: string;
}

/** A failure the CLI reports as one clear message (plus any problems with their paths) and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
    readonly details: { code?: string; status?: number; problems?: Problem[]; currentVersion?: number | null } = {},
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string): CliError => new CliError(message, EXIT_USAGE, { code: 'usage' });
