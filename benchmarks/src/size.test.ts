import { beforeAll, describe, expect, it } from 'vitest';
import { buildHalyardReact, entry, HALYARD_GZIP_BUDGET, measureBundle } from './internal/bundle-size';

// Bundle size is deterministic for a given build, so unlike timings it can be a test. It measures the published
// build (dist/ through package.json exports), so it builds first: a turbo cache hit once `pnpm build` ran.
beforeAll(() => buildHalyardReact(), 300_000);

describe('React client bundle size, published build (esbuild minified, react external, gzip level 9)', () => {
  it('@halyard/react FlagProvider + useFlag (polling) stays within 2,048 bytes gzipped', async () => {
    const size = await measureBundle(entry('halyard'));
    const breakdown = size.inputs.map((i) => `${i.bytes} ${i.path}`).join(', ');
    expect(size.gzipBytes, `gzip ${size.gzipBytes} B; minified bytes per file: ${breakdown}`).toBeLessThanOrEqual(
      HALYARD_GZIP_BUDGET,
    );
    // The entry must really contain the provider and the store behind it, from the published files, or the
    // number means nothing.
    expect(size.inputs.map((i) => i.path)).toContain('packages/react/dist/index.js');
    expect(size.inputs.some((i) => i.path.startsWith('packages/core/dist/') && i.bytes > 1000)).toBe(true);
    expect(size.inputs.some((i) => i.path.includes('/src/'))).toBe(false);
  });

  it('measures what a peer ships: the same entry shape for @unleash/proxy-client-react is over the budget', async () => {
    const size = await measureBundle(entry('unleash'));
    expect(size.minBytes).toBeGreaterThan(size.gzipBytes);
    expect(size.gzipBytes).toBeGreaterThan(HALYARD_GZIP_BUDGET);
  });
});
