/**
 * Wraps a reload so calls never overlap: a call while one runs asks for exactly one more run afterwards (however
 * many calls came in meanwhile), so the last change is always read and a burst of change notifications costs two
 * reads, not one per notification. Shared by `fileSource` and `@halyard/redis`'s `redisSource`.
 *
 * @example
 * const load = serialReload(() => readAndEmit(), () => stopped);
 * watcher.on('change', () => void load());
 */
export function serialReload(run: () => Promise<void>, stopped: () => boolean): () => Promise<void> {
  let loading = false;
  let again = false;
  return async function load(): Promise<void> {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    try {
      do {
        again = false;
        await run();
      } while (again && !stopped());
    } finally {
      loading = false;
    }
  };
}
