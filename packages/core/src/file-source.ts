import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { describeError } from './internal/errors';
import { DefinitionsError } from './internal/problems';
import { serialReload } from './internal/serial-reload';
import { parseDefinitions } from './parse-definitions';
import type { FlagSource } from './types';

export interface FileSourceOptions {
  /** Wait this long after a change event before reading, in ms, so a burst of writes becomes one reload. Default 50. */
  debounce?: number;
  /** Also check the file's mtime/size/inode this often, in ms, for file systems where watching is unreliable. Default 1,000; `0` disables. */
  pollInterval?: number;
  /** Use `fs.watch` on the directory (default `true`); `false` relies on the stat poll alone, e.g. when inotify watches run out. */
  watch?: boolean;
}

/**
 * A source that reads a FlagsDocument from a JSON file and reloads it when the file changes (Node only; import
 * from `@halyard/core/node`).
 *
 * It watches the file's DIRECTORY, so editors and deploy tools that replace the file atomically (write a
 * temporary file, rename it over the original) are picked up, and it double-checks mtime/size/inode about once a
 * second for network and container file systems where watch events get lost. A missing, unreadable, non-JSON or
 * invalid file is an `error` update: the client keeps the last good flags and recovers on the next good write.
 * Close the client to stop watching.
 *
 * @example
 * import { createFlagClient } from '@halyard/core';
 * import { fileSource } from '@halyard/core/node';
 *
 * const client = createFlagClient({ source: fileSource('./flags.json') });
 * await client.ready();
 */
export function fileSource(path: string, options: FileSourceOptions = {}): FlagSource {
  if (typeof path !== 'string' || path.length === 0) {
    throw new TypeError('@halyard/core: fileSource(path) needs the path of a flags JSON file');
  }
  const file = resolve(path);
  const debounce = options.debounce ?? 50;
  const pollInterval = options.pollInterval ?? 1_000;

  return {
    name: `file(${file})`,
    start(emit) {
      let stopped = false;
      // The last text we processed (good or bad): an unchanged file is not re-parsed nor re-reported.
      let lastText: string | undefined;
      let debounceTimer: ReturnType<typeof setTimeout> | undefined;
      let watcher: FSWatcher | undefined;
      let pollTimer: ReturnType<typeof setInterval> | undefined;
      let lastStat: string | undefined;
      let statting = false;

      async function loadOnce(): Promise<void> {
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (error) {
          if (stopped) return;
          lastText = undefined;
          emit({ type: 'error', error: new Error(`@halyard/core: fileSource could not read ${file}: ${describeError(error)}`) });
          return;
        }
        if (stopped || text === lastText) return;
        lastText = text;
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (error) {
          emit({ type: 'error', error: new Error(`@halyard/core: fileSource: ${file} is not valid JSON: ${describeError(error)}`) });
          return;
        }
        const result = parseDefinitions(json);
        if (!result.ok) {
          emit({ type: 'error', error: new DefinitionsError(`@halyard/core: fileSource: ${file} is not a valid flags document`, result.problems) });
          return;
        }
        emit({ type: 'definitions', definitions: result.definitions });
      }

      // Reads never overlap; a change during a read triggers exactly one more read afterwards.
      const load = serialReload(loadOnce, () => stopped);

      function scheduleLoad(): void {
        if (stopped) return;
        if (debounceTimer !== undefined) clearTimeout(debounceTimer);
        debounceTimer = setTimeout(() => {
          debounceTimer = undefined;
          void load();
        }, debounce);
      }

      if (options.watch !== false) {
        try {
          const name = basename(file);
          watcher = watch(dirname(file), (_event, changed) => {
            // Some platforms omit the file name; reloading is cheap and unchanged text is ignored anyway.
            if (changed === null || changed === name) scheduleLoad();
          });
          watcher.on('error', () => {
            // The directory went away or the platform gave up; the stat poll below still notices changes.
            watcher?.close();
            watcher = undefined;
          });
        } catch {
          watcher = undefined;
        }
      }

      if (pollInterval > 0) {
        pollTimer = setInterval(() => {
          if (statting || stopped) return;
          statting = true;
          stat(file).then(
            (s) => `${s.mtimeMs}:${s.size}:${s.ino}`,
            () => 'missing',
          ).then((key) => {
            statting = false;
            if (stopped) return;
            if (key !== lastStat) scheduleLoad();
            lastStat = key;
          });
        }, pollInterval);
      }

      void load();

      return () => {
        stopped = true;
        watcher?.close();
        watcher = undefined;
        if (pollTimer !== undefined) clearInterval(pollTimer);
        if (debounceTimer !== undefined) clearTimeout(debounceTimer);
      };
    },
  };
}
