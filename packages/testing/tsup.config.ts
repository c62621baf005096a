import { halyardBuild } from '../../tsup.shared.ts';

export default halyardBuild({ index: 'src/index.ts', react: 'src/react.ts', express: 'src/express.ts', next: 'src/next.ts' });
