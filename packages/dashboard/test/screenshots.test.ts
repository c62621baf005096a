import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SCREENSHOT_PAGES } from '../scripts/screenshots';

// The README shows every main page in both themes; `pnpm screenshots` makes them. This keeps the two in step: a
// page added to the script without its shots (or a README pointing at a file that is not there) fails here.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README screenshots', () => {
  const names = ['sign-in', ...SCREENSHOT_PAGES.map((page) => page.name)];
  it.each(names.flatMap((name) => (['light', 'dark'] as const).map((theme) => `${name}-${theme}.png`)))('%s is a 1280×800 PNG the README shows', (file) => {
    const png = readFileSync(path.join(root, 'docs/screenshots', file));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // IHDR: width and height, big-endian, at bytes 16 and 20
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 800]);
    expect(readme).toContain(`docs/screenshots/${file}`);
  });
});
