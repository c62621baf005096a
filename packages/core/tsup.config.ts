import { halyardBuild } from '../../tsup.shared.ts';

// minifySyntax: esbuild turns a bundle's top-level `const`s into `var`s, which an app's bundler can no longer inline
// (the browser store's timing constants); folding them here keeps the published store as small as its source.
export default halyardBuild({ index: 'src/index.ts', node: 'src/node.ts', adapter: 'src/adapter.ts', definitions: 'src/definitions.ts', store: 'src/store.ts', events: 'src/events.ts' }, { minifySyntax: true });
