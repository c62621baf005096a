import { halyardBuild } from '../../tsup.shared.ts';

// The provider and hooks are client-only: keep the directive at the top of both builds.
export default halyardBuild({ index: 'src/index.ts' }, { banner: { js: "'use client';" } });
