// A tiny events ingestion endpoint for tests (a real HTTP server on port 0) and a checker of the wire format v1
// (docs/events.md), shared by the core, Express and React event tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Checks one body against the events wire format v1 (docs/events.md); returns the problems found. */
export function wireProblems(body: unknown): string[] {
  const problems: string[] = [];
  const b = body as { sdk?: { name?: unknown; version?: unknown }; events?: unknown };
  if (typeof b?.sdk?.name !== 'string' || typeof b.sdk.version !== 'string') problems.push('/sdk');
  if (!Array.isArray(b?.events) || b.events.length === 0 || b.events.length > 1_000) return [...problems, '/events'];
  b.events.forEach((e: Record<string, unknown>, i: number) => {
    const at = `/events/${i}`;
    const str = (k: string, required: boolean) => {
      if (e[k] === undefined ? required : typeof e[k] !== 'string' || (e[k] as string).length > 256) problems.push(`${at}/${k}`);
    };
    if (typeof e.time !== 'number') problems.push(`${at}/time`);
    str('unit', false);
    if (e.kind === 'exposure') (str('flag', true), str('variant', true));
    else if (e.kind === 'outcome') {
      str('flag', true);
      str('variant', true);
      if (typeof e.ok !== 'boolean') problems.push(`${at}/ok`);
      if (e.durationMs !== undefined && !(typeof e.durationMs === 'number' && e.durationMs >= 0)) problems.push(`${at}/durationMs`);
      if (e.errorType !== undefined && !(typeof e.errorType === 'string' && e.errorType.length <= 100)) problems.push(`${at}/errorType`);
    } else if (e.kind === 'metric') {
      if (typeof e.name !== 'string' || !/^[A-Za-z0-9_.:-]{1,100}$/.test(e.name)) problems.push(`${at}/name`);
      if (e.value !== undefined && !Number.isFinite(e.value)) problems.push(`${at}/value`);
      if ('flag' in e || 'variant' in e) problems.push(`${at}: metrics carry no flag/variant`);
    } else problems.push(`${at}/kind`);
  });
  return problems;
}

export interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: unknown;
}

const servers: Server[] = [];

/** Closes every server `ingest` started (call it in `afterEach`). */
export async function closeIngestServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
}

/** A tiny ingestion endpoint on port 0 recording every POST; `answer` decides the status (default 202). */
export async function ingest(answer: (received: Received, res: ServerResponse) => void = (_r, res) => res.writeHead(202).end('{"accepted":1}')) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method, url: req.url, headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
      received.push(entry);
      answer(entry, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sdk/v1/events`;
  return { url, received };
}

