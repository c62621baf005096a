// @vitest-environment node
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Options } from 'tsup';
import { expect, it } from 'vitest';

it("both builds start with the 'use client' directive (Next.js needs it to keep the provider a client component)", async () => {
  const outDir = await mkdtemp(join(tmpdir(), 'halyard-react-build-'));
  try {
    // Loaded at run time: the config imports the shared one by its .ts path, which tsc does not follow.
    const configPath: string = '../tsup.config';
    const options = ((await import(configPath)) as { default: Options }).default;
    await build({
      ...options,
      entry: { index: fileURLToPath(new URL('../src/index.ts', import.meta.url)) },
      outDir,
      dts: false,
      sourcemap: false,
      silent: true,
      config: false,
    });
    for (const file of ['index.js', 'index.cjs']) {
      const code = await readFile(join(outDir, file), 'utf8');
      expect(code.startsWith("'use client';"), `${file} starts with: ${code.slice(0, 80)}`).toBe(true);
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
});
