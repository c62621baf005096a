import { pickSlice, type CompiledSplit } from './bucketing';
import { EMPTY_CONTEXT, type Ctx } from './context';
import type { CompiledFlag } from './outcomes';
import { safeContext } from './safe-context';

/*
 * Running a compiled flag for a context, never throwing: the fast path reads the caller's context directly; if
 * that throws (a getter, a proxy trap), the evaluation is retried once on a safe copy; if even that throws, the
 * index is -1 and the caller answers ERROR/GENERAL with the exception kept in `lastEvaluationError`.
 */

let errorRegister: unknown;

/** The last exception `decideSafely` could not recover from, for the ERROR/GENERAL message. */
export function lastEvaluationError(): unknown {
  return errorRegister;
}

/** Retries on a safe copy of the context; -1 (`ERROR_INDEX`) when even that throws (the caller answers ERROR/GENERAL). */
export function decideSafely(flag: CompiledFlag, ctx: Ctx): number {
  try {
    return flag.decide(safeContext(ctx));
  } catch (e) {
    errorRegister = e;
    return -1;
  }
}

/** Outcome index for a split-only flag (see `CompiledFlag.split`); -1 when even the safe retry failed. */
export function splitIndex(flag: CompiledFlag, split: CompiledSplit, context: unknown): number {
  const ctx = typeof context === 'object' && context !== null ? context : EMPTY_CONTEXT;
  try {
    const o = pickSlice(split, ctx);
    return o >= 0 ? o : flag.missingUnit;
  } catch {
    return decideSafely(flag, ctx);
  }
}

/** Outcome index through the flag's `decide`; -1 when even the safe retry failed. */
export function decideIndex(flag: CompiledFlag, context: unknown): number {
  const ctx = typeof context === 'object' && context !== null ? context : EMPTY_CONTEXT;
  try {
    return flag.decide(ctx);
  } catch {
    return decideSafely(flag, ctx);
  }
}

/**
 * Result index for the by-key methods: constant, split-only and `decide` flags each take their own path, so
 * the `decide` call site in `decideIndex` only ever sees flags with targeting.
 */
export function outcomeIndex(flag: CompiledFlag, context: unknown): number {
  const constant = flag.constant;
  if (constant !== -1) return constant;
  const split = flag.split;
  return split !== null ? splitIndex(flag, split, context) : decideIndex(flag, context);
}
