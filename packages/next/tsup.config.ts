import { halyardBuild } from '../../tsup.shared.ts';

// Two builds: the server entries must NOT carry 'use client' (HalyardProvider is a server component), the client
// entry must, so Next treats it as a client boundary. tsup runs the two at once, so neither may clean dist/ (a
// clean in one deleted the other's .d.ts on a fresh checkout): the package's build script empties dist/ first.
export default [
  halyardBuild({ index: 'src/index.ts', middleware: 'src/middleware.ts' }, { clean: false, external: ['@halyard/next/client'] }),
  halyardBuild({ client: 'src/client.ts' }, { clean: false, treeshake: false, banner: { js: "'use client';" } }),
];
