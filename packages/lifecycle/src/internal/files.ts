import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Folders no scan enters: dependencies, build output, VCS data. */
const SKIPPED = new Set(['node_modules', '.git', 'dist', 'build', 'out', '.next', '.turbo', 'coverage', '.halyard']);

/** Files larger than this are not read (bundles, fixtures), so a scan stays bounded. */
export const MAX_FILE_BYTES = 1_000_000;

/** Every file under `paths` (files are taken as given), sorted, skipping {@link SKIPPED} folders and large files. */
export function listFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (path: string, given: boolean) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (SKIPPED.has(entry)) continue;
        walk(join(path, entry), false);
      }
    } else if (stat.isFile() && (given || stat.size <= MAX_FILE_BYTES)) out.push(path);
  };
  for (const path of paths) walk(path, true);
  return out;
}
