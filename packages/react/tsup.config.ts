import { halyardBuild } from '../../tsup.shared.ts';

// The provider and hooks are client-only, so both builds must start with the 'use client' directive. Two tsup
// passes would move or drop it: Rollup's tree-shaking drops banners and module-level directives (egoist/tsup#835),
// and CJS code splitting rewrites the output with Sucrase, which puts its helpers above the banner. One entry
// needs neither: esbuild bundles (and shakes) this package's own modules, dependencies stay external.
export default halyardBuild({ index: 'src/index.ts' }, { banner: { js: "'use client';" }, treeshake: false, splitting: false });
