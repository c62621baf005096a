import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { FlagsDocument } from '@halyard/core';
import { readAudit } from '@halyard/redis';
import { main } from '../src/internal/cli/main';
import { cleanEnv, runCli } from './cli';
import { REDIS_URL } from './helpers';

// `halyard … --redis <url>` against the real local Redis (a unique key per test): validated writes, the atomic
// version bump under 100 concurrent writers, and the audit stream.

const boolean = (enabled: boolean) => ({ variants: { on: true, off: false }, enabled, offVariant: 'off', defaultServe: { variant: 'off' } });

describe('halyard CLI with --redis', { timeout: 180_000 }, () => {
  let dir: string;
  let redis: Redis;
  const env = () => cleanEnv({ HOME: dir, HALYARD_CONFIG: join(dir, 'unused-config.json'), HALYARD_ACTOR: 'cli-test' });
  const uniqueKey = (name: string) => `halyard-test:cli-redis:${name}:${randomBytes(6).toString('hex')}`;
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(content, null, 2));
    return path;
  };
  const stored = async (key: string) => JSON.parse((await redis.get(key))!) as FlagsDocument;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'halyard-cli-redis-'));
    redis = new Redis(REDIS_URL);
  });
  afterAll(() => {
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports, toggles, rolls out and exports, each write validated, versioned and audited', async () => {
    const key = uniqueKey('roundtrip');
    const target = ['--redis', REDIS_URL, '--redis-key', key];
    const flags = file('flags.json', { schemaVersion: 1, flags: { 'new-checkout': boolean(true) } });

    const imported = await runCli(['import', flags, ...target, '--json'], env());
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ redis: key, mode: 'merge', changed: true, version: '1', flags: { created: ['new-checkout'] } });

    const toggled = await runCli(['flags', 'toggle', 'new-checkout', '--off', ...target], env());
    expect(toggled.code, toggled.stderr).toBe(0);
    expect(toggled.stdout).toContain(`new-checkout is off in ${key} (version 2)`);

    const rolled = await runCli(['flags', 'rollout', 'new-checkout', '25', ...target], env());
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(rolled.stdout).toContain('now serves on 25% · off 75% (version 3)');
    expect((await stored(key)).flags['new-checkout']).toMatchObject({ enabled: false, defaultServe: { split: [{ variant: 'on', percentage: 25 }, { variant: 'off', percentage: 75 }] } });

    const out = join(dir, 'exported.json');
    const exported = await runCli(['export', ...target, '-o', out], env());
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).flags['new-checkout'].defaultServe.split[0].percentage).toBe(25);

    const audit = await readAudit(redis, { key });
    expect(audit.map((e) => [e.action, e.target, e.version, e.actor])).toEqual([
      ['flag.rollout', 'flag:new-checkout', '3', 'cli-test'],
      ['flag.toggle', 'flag:new-checkout', '2', 'cli-test'],
      ['document.import.merge', 'document', '1', 'cli-test'],
    ]);
    expect(JSON.parse(audit[1]!.before!).enabled).toBe(true);
    expect(JSON.parse(audit[1]!.after!).enabled).toBe(false);
    await redis.del(key, `${key}:audit`);
  });

  it('refuses invalid writes with every problem and its path, writing nothing', async () => {
    const key = uniqueKey('invalid');
    const target = ['--redis', REDIS_URL, '--redis-key', key];
    const bad = file('bad.json', { schemaVersion: 1, flags: { 'new-checkout': { ...boolean(true), offVariant: 'nope' } } });
    const refused = await runCli(['import', bad, ...target], env());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\$\.flags\["new-checkout"\]\.offVariant/);
    expect(await redis.exists(key)).toBe(0);

    await redis.set(key, JSON.stringify({ schemaVersion: 1, version: 4, flags: { a: boolean(true) } }));
    const rollout = await runCli(['flags', 'rollout', 'a', '10', '--variant', 'zzz', ...target, '--json'], env());
    expect(rollout.code).toBe(1);
    expect(JSON.parse(rollout.stderr).error).toMatchObject({ code: 'invalid_definitions', problems: [{ path: '$.flags["a"].defaultServe.split[0].variant' }] });
    const missing = await runCli(['flags', 'toggle', 'nope', ...target], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/flag nope is not in/);
    // Invalid JSON written by hand: partial changes are refused (nothing to merge into), a --replace import fixes it.
    await redis.set(key, '{"schemaVersion":1,');
    const toggle = await runCli(['flags', 'toggle', 'a', ...target], env());
    expect(toggle.code).toBe(1);
    expect(toggle.stderr).toMatch(/not JSON; fix it by hand or replace it/);
    const good = file('good.json', { schemaVersion: 1, flags: { a: boolean(true) } });
    const replaced = await runCli(['import', good, ...target, '--replace'], env());
    expect(replaced.code, replaced.stderr).toBe(0);
    expect((await stored(key)).flags.a!.enabled).toBe(true);
    const usage = await runCli(['flags', 'toggle', 'a', ...target, '--env', 'staging'], env());
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--env does not apply with --redis/);
    await redis.del(key, `${key}:audit`);
  });

  it('loses no update with 100 concurrent CLI writers, and the audit stream has every one of them', async () => {
    const key = uniqueKey('concurrent');
    const target = ['--redis', REDIS_URL, '--redis-key', key];
    const flags: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) flags[`f-${i}`] = boolean(false);
    expect((await runCli(['import', file('many.json', { schemaVersion: 1, flags }), ...target], env())).code).toBe(0);

    // 92 writers in this process (each invocation opens its own connection, exactly as a separate process would)
    // and 8 real processes, all at once, each switching on its own flag of the same document.
    const sink = () => {
      let text = '';
      return { write: (chunk: string) => ((text += chunk), true), text: () => text };
    };
    const inProcess = Array.from({ length: 92 }, async (_, i) => {
      const stdout = sink();
      const stderr = sink();
      const code = await main(['flags', 'toggle', `f-${i}`, '--on', ...target], { stdout, stderr, env: { ...env(), HALYARD_ACTOR: `writer-${i}` } });
      return { code, stderr: stderr.text() };
    });
    const spawned = Array.from({ length: 8 }, (_, j) => runCli(['flags', 'toggle', `f-${92 + j}`, '--on', ...target], { ...env(), HALYARD_ACTOR: `writer-${92 + j}` }));
    const results = await Promise.all([...inProcess, ...spawned]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);

    const final = await stored(key);
    expect(Object.values(final.flags).every((f) => f.enabled)).toBe(true);
    expect(final.version).toBe(101);
    const audit = await readAudit(redis, { key, count: 1000 });
    expect(audit).toHaveLength(101);
    const toggles = audit.filter((e) => e.action === 'flag.toggle');
    expect(new Set(toggles.map((e) => e.target))).toEqual(new Set(Array.from({ length: 100 }, (_, i) => `flag:f-${i}`)));
    expect(new Set(toggles.map((e) => e.actor)).size).toBe(100);
    expect(audit.map((e) => Number(e.version))).toEqual(Array.from({ length: 101 }, (_, i) => 101 - i));
    await redis.del(key, `${key}:audit`);
  });
});
