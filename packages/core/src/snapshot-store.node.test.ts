import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sendJson, startServer } from '../test/helpers/server';
import { createSnapshotStore } from './snapshot-store';

describe('createSnapshotStore on the server (no window)', () => {
  it('never fetches, whatever subscribes', async () => {
    expect(typeof window).toBe('undefined');
    const server = await startServer((_req, res) => sendJson(res, { version: 'v', flags: {} }));
    try {
      const store = createSnapshotStore({ endpoint: `${server.url}/api/flags`, pollInterval: 1, stream: true });
      const off = store.subscribe(() => {});
      store.setContext({ userId: 'u' });
      await store.refresh();
      await new Promise((r) => setTimeout(r, 50));
      off();
      store.close();
      expect(server.requests).toHaveLength(0);
      expect(store.getSnapshot().status).toBe('loading');
    } finally {
      await server.close();
    }
  });

  it('serves the snapshot it was given (SSR) as ready', () => {
    const store = createSnapshotStore({ snapshot: { version: 'v1', flags: { a: { value: true, reason: 'STATIC' } } } });
    expect(store.getSnapshot()).toMatchObject({ status: 'ready', snapshot: { version: 'v1' } });
  });
});

describe('snapshot-store import graph', () => {
  it('never reaches the evaluator or the definitions parser (keeps browser bundles small)', () => {
    const srcDir = dirname(fileURLToPath(import.meta.url));
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
        const spec = match[1] as string;
        visit(join(dirname(file), `${spec}.ts`));
      }
    };
    visit(join(srcDir, 'snapshot-store.ts'));
    const reached = [...seen].map((f) => relative(srcDir, f)).sort();
    expect(reached).toContain('polling-store.ts');
    expect(reached).toContain('stream-store.ts');
    expect(reached).toContain('internal/sse.ts');
    expect(reached.filter((f) => /evaluator|parse-definitions|murmur|schema/.test(f))).toEqual([]);
  });
});
