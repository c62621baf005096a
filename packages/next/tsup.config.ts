import { halyardBuild } from '../../tsup.shared.ts';

// Two builds: the server entries must NOT carry 'use client' (HalyardProvider is a server component), the client
// entry must, so Next treats it as a client boundary. Only the first build cleans dist/.
export default [
  halyardBuild({ index: 'src/index.ts', middleware: 'src/middleware.ts' }, { external: ['@halyard/next/client'] }),
  halyardBuild({ client: 'src/client.ts' }, { clean: false, treeshake: false, banner: { js: "'use client';" } }),
];
