import { halyardBuild } from '../../tsup.shared.ts';

export default halyardBuild({ index: 'src/index.ts' });
