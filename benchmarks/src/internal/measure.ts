import v8 from 'node:v8';
import type { EvalFn } from './implementations';

/** Runs `fn` over `contexts` (cycled) `n` times; returns how often the result was `probe` (keeps results live). */
export type Loop = (fn: EvalFn, contexts: unknown[], n: number, probe: unknown) => number | Promise<number>;

const AsyncFunction = (async () => {}).constructor as FunctionConstructor;

let loopCount = 0;

/**
 * A fresh loop per (implementation, flag). Compiling each from source gives it its own feedback vector, so the
 * call `fn(...)` stays monomorphic and can be inlined — a shared loop would turn megamorphic after the second
 * implementation and add an indirect call to every number, which would swamp the ~1 ns constant baseline.
 * The source must differ per loop (the numbered comment): V8 caches `new Function` by source text and hands
 * identical sources the same feedback, which made every loop after the first few share one megamorphic call.
 */
export function compileLoop(isAsync: boolean): Loop {
  const body = `// loop ${++loopCount}
    let hits = 0;
    let j = 0;
    const len = contexts.length;
    for (let i = 0; i < n; i++) {
      const result = ${isAsync ? 'await ' : ''}fn(contexts[j]);
      if (result === probe) hits++;
      if (++j === len) j = 0;
    }
    return hits;`;
  return new (isAsync ? AsyncFunction : Function)('fn', 'contexts', 'n', 'probe', body) as Loop;
}

/** CPU time (user + system, all threads of this process: includes GC helper threads) per call, in ns. */
export async function cpuNsPerCall(loop: Loop, fn: EvalFn, contexts: unknown[], n: number, probe: unknown): Promise<number> {
  const start = process.cpuUsage();
  const pending = loop(fn, contexts, n, probe);
  if (typeof pending !== 'number') await pending;
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / n;
}

declare const gc: (() => void) | undefined;

/** Bytes allocated on the V8 heap by `n` calls: heap growth plus everything the GCs in between reclaimed. */
async function allocatedBytes(loop: Loop, fn: EvalFn, contexts: unknown[], n: number, probe: unknown): Promise<number> {
  if (typeof gc !== 'function') throw new Error('@halyard/benchmarks: run node with --expose-gc');
  gc();
  const profiler = new v8.GCProfiler();
  profiler.start();
  const before = v8.getHeapStatistics().used_heap_size;
  const pending = loop(fn, contexts, n, probe);
  if (typeof pending !== 'number') await pending;
  const after = v8.getHeapStatistics().used_heap_size;
  const report = profiler.stop();
  let reclaimed = 0;
  for (const event of report.statistics) {
    reclaimed += event.beforeGC.heapStatistics.usedHeapSize - event.afterGC.heapStatistics.usedHeapSize;
  }
  return after - before + reclaimed;
}

/**
 * Bytes allocated per call. Measured as the difference between 2n and n calls so that the constant part
 * (the profiler's own bookkeeping, code objects from late re-optimisation) cancels out; median of 3, clamped at 0.
 */
export async function bytesPerCall(loop: Loop, fn: EvalFn, contexts: unknown[], n: number, probe: unknown): Promise<number> {
  const estimates: number[] = [];
  for (let i = 0; i < 3; i++) {
    const one = await allocatedBytes(loop, fn, contexts, n, probe);
    const two = await allocatedBytes(loop, fn, contexts, 2 * n, probe);
    estimates.push(Math.max(0, (two - one) / n));
  }
  return median(estimates);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
