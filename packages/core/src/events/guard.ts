import type { JsonValue } from '../types';
import type { GuardPaths, Outcome, SyncGuardPaths } from './types';
import { wireVariant } from './wire';

/*
 * `client.guard` / `client.guardSync`: run the path a flag selects, time it, record how it went, and fall back to
 * the old path when the new one fails. The client evaluates the flag (which records the exposure) and hands the
 * outcome to its listeners and its event sender through `record`; this module only runs and measures.
 */

/** What the client evaluated for a guard: the served value and variant, or `undefined` when evaluation failed. */
export interface GuardTarget {
  readonly flag: string;
  readonly served: { readonly value: JsonValue; readonly variant: string | undefined } | undefined;
  readonly unit: string | undefined;
}

const clock: () => number =
  typeof globalThis.performance?.now === 'function' ? () => globalThis.performance.now() : () => Date.now();

function checkPaths(paths: unknown, method: string): void {
  if (paths === null || typeof paths !== 'object' || typeof (paths as { off?: unknown }).off !== 'function') {
    throw new TypeError(`@halyard/core: client.${method}(key, context, paths) needs paths { on, off } with at least an off() function (the old path, and the fallback)`);
  }
}

/** The path to run and the variant it stands for; `undefined` variant: not an assignment (the flag failed). */
function choose<P extends { on?: unknown; off: unknown; variants?: Readonly<Record<string, unknown>> }>(
  target: GuardTarget,
  paths: P,
): { run: P['off']; variant: string | undefined; fallback: boolean } {
  const served = target.served;
  if (served === undefined) return { run: paths.off, variant: undefined, fallback: false };
  const variant = wireVariant(served.variant, served.value);
  const own = served.variant !== undefined && paths.variants !== undefined && Object.hasOwn(paths.variants, served.variant) ? paths.variants[served.variant] : undefined;
  if (typeof own === 'function') return { run: own as P['off'], variant, fallback: true };
  if (served.value === true && typeof paths.on === 'function') return { run: paths.on as P['off'], variant, fallback: true };
  return { run: paths.off, variant, fallback: false };
}

function outcome(target: GuardTarget, variant: string, ok: boolean, started: number, error?: unknown): Outcome {
  const durationMs = Math.max(0, clock() - started);
  return ok ? { flag: target.flag, variant, unit: target.unit, ok, durationMs } : { flag: target.flag, variant, unit: target.unit, ok, durationMs, error };
}

/** Runs the selected (possibly async) path; see `FlagClient.guard`. */
export async function runGuard<R>(target: GuardTarget, paths: GuardPaths<R>, record: (outcome: Outcome) => void): Promise<R> {
  checkPaths(paths, 'guard');
  const { run, variant, fallback } = choose(target, paths);
  const started = clock();
  let value: R;
  try {
    value = await run();
  } catch (error) {
    if (variant !== undefined) record(outcome(target, variant, false, started, error));
    if (!fallback) throw error;
    return await paths.off();
  }
  if (variant !== undefined) record(outcome(target, variant, true, started));
  return value;
}

/** Runs the selected synchronous path; see `FlagClient.guardSync`. */
export function runGuardSync<R>(target: GuardTarget, paths: SyncGuardPaths<R>, record: (outcome: Outcome) => void): R {
  checkPaths(paths, 'guardSync');
  const { run, variant, fallback } = choose(target, paths);
  const started = clock();
  let value: R;
  try {
    value = run();
  } catch (error) {
    if (variant !== undefined) record(outcome(target, variant, false, started, error));
    if (!fallback) throw error;
    return paths.off();
  }
  if (variant !== undefined) record(outcome(target, variant, true, started));
  return value;
}
