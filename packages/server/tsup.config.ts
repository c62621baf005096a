import { halyardBuild } from '../../tsup.shared.ts';

// shims: the CLI reads its package.json through import.meta.url, which the CJS build must emulate.
export default halyardBuild({ index: 'src/index.ts', cli: 'src/cli.ts' }, { shims: true });
