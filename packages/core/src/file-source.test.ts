import { mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flagsDoc, waitFor } from '../test/helpers/server';
import { createFlagClient } from './client';
import { fileSource } from './file-source';
import type { FlagClient } from './types';

let dir: string;
let client: FlagClient | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'halyard-file-source-'));
});

afterEach(async () => {
  client?.close();
  client = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Writes like editors and deploy tools do: a temp file renamed over the target (atomic replace). */
async function replaceAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

describe('fileSource', () => {
  it('loads the file and reloads when it is replaced atomically (directory watch alone)', async () => {
    const path = join(dir, 'flags.json');
    await writeFile(path, JSON.stringify(flagsDoc(1)));
    client = createFlagClient({ source: fileSource(path, { debounce: 5, pollInterval: 0 }), logger: false });
    await client.ready();
    expect(client.isEnabled('new-checkout')).toBe(true);
    await replaceAtomically(path, JSON.stringify(flagsDoc(2, false)));
    await waitFor(() => expect(client?.getSnapshot().version).toBe('2'));
    expect(client.isEnabled('new-checkout')).toBe(false);
  });

  it('reloads on in-place writes too', async () => {
    const path = join(dir, 'flags.json');
    await writeFile(path, JSON.stringify(flagsDoc(1)));
    client = createFlagClient({ source: fileSource(path, { debounce: 5 }), logger: false });
    await client.ready();
    await writeFile(path, JSON.stringify(flagsDoc(2, false)));
    await waitFor(() => expect(client?.getSnapshot().version).toBe('2'));
  });

  it('keeps the last good flags when the file becomes invalid JSON or an invalid document, and recovers', async () => {
    const path = join(dir, 'flags.json');
    await writeFile(path, JSON.stringify(flagsDoc(1)));
    const errors: Error[] = [];
    client = createFlagClient({ source: fileSource(path, { debounce: 5 }), onError: (e) => errors.push(e), logger: false });
    await client.ready();
    const good = client.getSnapshot().definitions;

    await replaceAtomically(path, '{ "schemaVersion": 1, "flags": {');
    await waitFor(() => expect(client?.status).toBe('stale'));
    expect(client.getSnapshot().error?.message).toMatch(/flags\.json is not valid JSON/);
    expect(client.getSnapshot().definitions).toBe(good);
    expect(client.isEnabled('new-checkout')).toBe(true);

    await replaceAtomically(path, JSON.stringify({ schemaVersion: 1, flags: { 'new-checkout': { enabled: true } } }));
    await waitFor(() => expect(client?.getSnapshot().error?.message).toContain('is not a valid flags document'));
    expect(client.getSnapshot().error?.message).toContain('$.flags["new-checkout"]');
    expect(client.isEnabled('new-checkout')).toBe(true);

    await replaceAtomically(path, JSON.stringify(flagsDoc(3)));
    await waitFor(() => expect(client?.getSnapshot()).toMatchObject({ status: 'ready', version: '3' }));
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });

  it('a missing file is an error until it appears; deleting it later keeps the last good flags', async () => {
    const path = join(dir, 'later.json');
    client = createFlagClient({ source: fileSource(path, { debounce: 5 }), logger: false });
    await expect(client.ready()).rejects.toThrow(/could not read .*later\.json/);
    expect(client.status).toBe('error');
    await replaceAtomically(path, JSON.stringify(flagsDoc(1)));
    await waitFor(() => expect(client?.status).toBe('ready'));
    await unlink(path);
    await waitFor(() => expect(client?.status).toBe('stale'));
    expect(client.isEnabled('new-checkout')).toBe(true);
  });

  it('notices changes through the stat poll alone', async () => {
    const path = join(dir, 'flags.json');
    await writeFile(path, JSON.stringify(flagsDoc(1)));
    client = createFlagClient({ source: fileSource(path, { debounce: 1, pollInterval: 20, watch: false }), logger: false });
    await client.ready();
    await replaceAtomically(path, JSON.stringify(flagsDoc(2)));
    await waitFor(() => expect(client?.getSnapshot().version).toBe('2'));
  });

  it('stops watching on close', async () => {
    const path = join(dir, 'flags.json');
    await writeFile(path, JSON.stringify(flagsDoc(1)));
    client = createFlagClient({ source: fileSource(path, { debounce: 1, pollInterval: 10 }), logger: false });
    await client.ready();
    const state = client.getSnapshot();
    client.close();
    await replaceAtomically(path, JSON.stringify(flagsDoc(2)));
    await new Promise((r) => setTimeout(r, 100));
    expect(client.getSnapshot()).toBe(state);
  });
});
