import { defineConfig, type Options } from 'tsup';

/** ESM + CJS + .d.ts/.d.cts for every entry; dependencies stay external. */
export function halyardBuild(entry: Record<string, string>, extra: Partial<Options> = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    treeshake: true,
    target: 'es2022',
    // Entries of one package share chunks, so classes such as DefinitionsError keep one identity across entries.
    splitting: true,
    ...extra,
  });
}
