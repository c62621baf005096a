/** A problem found while importing, located in the Unleash payload (`$.features[3].strategies[0]…`). */
export interface ImportIssue {
  /** JSON path into the Unleash payload, starting at `$`. */
  path: string;
  message: string;
}

/** The warnings and errors of one import. */
export class Issues {
  readonly warnings: ImportIssue[] = [];
  readonly errors: ImportIssue[] = [];
  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }
  error(path: string, message: string): void {
    this.errors.push({ path, message });
  }
}
