import { pathToFileURL } from 'node:url';

/**
 * Runs a demo when its file is the process's entry point (not when a test imports it): exits 0 when it resolves,
 * prints the error and exits 1 when it throws, and gives up after `limitMs` so a hung service cannot hang CI.
 *
 * @example
 * runAsScript(import.meta.url, 'demo:rollout', runRolloutDemo);
 */
export function runAsScript(moduleUrl: string, name: string, run: () => Promise<unknown>, limitMs = 120_000): void {
  if (process.argv[1] === undefined || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const timeout = setTimeout(() => {
    console.error(`${name}: did not finish within ${Math.round(limitMs / 60_000)} minutes`);
    process.exit(1);
  }, limitMs);
  timeout.unref();
  run().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
