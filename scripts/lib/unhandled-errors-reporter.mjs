// A vitest reporter for `pnpm test`: writes the run's unhandled errors (an uncaught exception or rejection
// outside any test) to the file named by HALYARD_UNHANDLED_ERRORS. Vitest fails the run for them, but its JSON
// report has no field for them, so without this the summary could only say "vitest exit status".
import { writeFileSync } from 'node:fs';

export default class UnhandledErrorsReporter {
  onTestRunEnd(_modules, unhandledErrors) {
    const file = process.env.HALYARD_UNHANDLED_ERRORS;
    if (!file) return;
    const errors = [...(unhandledErrors ?? [])].map((e) => ({
      name: e?.name ?? 'Error',
      message: String(e?.message ?? e),
      stack: String(e?.stack ?? '').split('\n').slice(0, 12).join('\n'),
      // Vitest tags an error with the test file (and test) that was running when it surfaced.
      testFile: e?.VITEST_TEST_PATH ?? null,
      testName: e?.VITEST_TEST_NAME ?? null,
    }));
    writeFileSync(file, JSON.stringify(errors, null, 2));
  }
}
