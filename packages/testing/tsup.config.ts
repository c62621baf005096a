import { halyardBuild } from '../../tsup.shared.ts';

// Every test library stays external (they are optional peers): bundling @testing-library/react pulled react-dom
// into dist (2.2 MB) and turned `import 'react'` into a `require` that fails in ESM.
export default halyardBuild(
  { index: 'src/index.ts', vitest: 'src/vitest.ts', 'node-test': 'src/node-test.ts', react: 'src/react.ts', express: 'src/express.ts', next: 'src/next.ts' },
  // removeNodeProtocol off: tsup strips `node:` by default, and `node:test` exists only under its prefix.
  { external: ['react', 'react-dom', '@testing-library/react', 'vitest', 'express'], removeNodeProtocol: false },
);
