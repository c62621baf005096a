import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createFlagClient } from '@halyard/core';
import { createApp } from './app';
import { exampleFlagSource } from './flags-source';

const here = path.dirname(fileURLToPath(import.meta.url));
const flags = exampleFlagSource();
const port = Number(process.env.PORT ?? 4000);
const host = process.env.HOST ?? '127.0.0.1';

const client = createFlagClient({ source: flags.source });
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
  console.log(`express-example listening on http://${host}:${actual} (flags: ${flags.label})`);
});

const stop = (): void => {
  client.close();
  server.close();
  server.closeAllConnections();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
