import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createFlagClient } from '@halyard/core';
import { fileSource } from '@halyard/core/node';
import { createApp } from './app';

const here = path.dirname(fileURLToPath(import.meta.url));
// The SAME flags.json as the Next.js example, so both apps (and the React SPA) follow one file.
const flagsFile = process.env.HALYARD_FLAGS_FILE ?? path.resolve(here, '../../next-example/flags.json');
const port = Number(process.env.PORT ?? 4000);
const host = process.env.HOST ?? '127.0.0.1';

const client = createFlagClient({ source: fileSource(flagsFile, { debounce: 20, pollInterval: 500 }) });
await client.ready().catch((error: unknown) => console.error('express-example: flags failed to load; serving defaults until they do', error));

const secret = process.env.HALYARD_OVERRIDE_SECRET;
const app = createApp({
  client,
  allowedOrigins: (process.env.CORS_ORIGINS ?? 'http://localhost:5173,http://127.0.0.1:5173').split(',').filter(Boolean),
  spaDir: process.env.SPA_DIR ?? path.resolve(here, '../../react-example/dist'),
  overrides: secret ? { secret } : undefined,
});

const server = app.listen(port, host, () => {
  const address = server.address();
  const actual = typeof address === 'object' && address !== null ? address.port : port;
  console.log(`express-example listening on http://${host}:${actual} (flags: ${flagsFile})`);
});

const stop = (): void => {
  client.close();
  server.close();
  server.closeAllConnections();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
