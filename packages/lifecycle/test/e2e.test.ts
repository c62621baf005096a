import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typeErrors } from './typecheck';

// The proof, end to end: the real `halyard` CLI (run from source, as `pnpm halyard` does) on a flags
// document with an expired `old-banner` and a fresh `new-checkout`, and an app that reads both.

const CLI = new URL('../../server/src/cli.ts', import.meta.url).pathname;
const TSX = new URL('../../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function halyard(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith('HALYARD_') && !name.startsWith('VITEST') && name !== 'GITHUB_ACTIONS' && name !== 'FORCE_COLOR') env[name] = value;
    const child = spawn(process.execPath, ['--conditions=@halyard/source', '--import', TSX, CLI, ...args], { cwd, env: { ...env, HOME: cwd, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`halyard ${args.join(' ')} did not finish within 60 s: ${stderr}`));
    }, 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const DOCUMENT = {
  schemaVersion: 1,
  flags: {
    'old-banner': { owner: 'growth', kind: 'release', expiresAt: '2025-01-31', variants: { on: true, off: false }, enabled: true, defaultServe: { variant: 'on' } },
    'new-checkout': { owner: 'payments', kind: 'release', expiresAt: '2099-12-31', variants: { on: true, off: false }, enabled: true, defaultServe: { variant: 'off' } },
  },
};

const BANNER = `import { useFlag } from '@halyard/react';

export function Banner() {
  const banner = useFlag('old-banner');
  return banner ? <p>Sale!</p> : <p>Welcome</p>;
}
`;

const CHECKOUT = `import { useFlag } from '@halyard/react';

export function Checkout() {
  const on = useFlag('new-chekout');
  return on ? <p>New</p> : <p>Old</p>;
}
`;

describe.concurrent('halyard lint, codegen, code-refs and cleanup (the issue proof)', { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'halyard-lifecycle-'));
    writeFileSync(join(dir, 'flags.json'), `${JSON.stringify(DOCUMENT, null, 2)}\n`);
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'cleanup'));
    writeFileSync(join(dir, 'src/checkout.tsx'), CHECKOUT);
    writeFileSync(join(dir, 'cleanup/banner.tsx'), BANNER);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lint exits 1 naming old-banner, its owner and how long ago; --json and annotations too', async () => {
    const human = await halyard(['lint', 'flags.json'], dir);
    expect(human.code, human.stderr).toBe(1);
    expect(human.stdout).toMatch(/error\s+old-banner\s+growth\s+expired \d+ days ago \(2025-01-31; owner growth\)/);
    expect(human.stdout).not.toMatch(/new-checkout/);
    expect(human.stdout).toContain('flags.json: 1 error, 0 warnings (2 flags checked)');

    const json = await halyard(['lint', 'flags.json', '--json', '--lifetime', 'release=10'], dir);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ source: 'flags.json', errors: 1, findings: [{ flag: 'old-banner', rule: 'expired', owner: 'growth' }] });

    const annotated = await halyard(['lint', 'flags.json', '--annotations'], dir);
    expect(annotated.stdout).toMatch(/^::error file=flags\.json,line=4,title=halyard::flag "old-banner" expired/m);
  });

  it('codegen writes a declaration that types useFlag; --check fails when it is stale', async () => {
    const out = join(dir, 'flags.d.ts');
    const check = await halyard(['codegen', 'flags.json', '--out', 'flags.d.ts', '--check'], dir);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('flags.d.ts is missing: run halyard codegen flags.json --out flags.d.ts');

    const written = await halyard(['codegen', 'flags.json', '--out', 'flags.d.ts'], dir);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain('Wrote flags.d.ts (2 flags from flags.json)');
    expect((await halyard(['codegen', 'flags.json', '--out', 'flags.d.ts', '--check'], dir)).code).toBe(0);

    const errors = typeErrors(readFileSync(out, 'utf8'), [
      "import { useFlag } from '@halyard/react';",
      "const checkout = useFlag('new-checkout');",
      'export const isBoolean: [typeof checkout] extends [boolean] ? ([boolean] extends [typeof checkout] ? true : false) : false = true;',
      "useFlag('new-chekout');",
      '',
    ].join('\n'));
    expect(errors).toEqual([expect.objectContaining({ line: 4, message: expect.stringContaining('"new-chekout"') })]);

    writeFileSync(join(dir, 'flags-changed.json'), JSON.stringify({ ...DOCUMENT, flags: { ...DOCUMENT.flags, extra: DOCUMENT.flags['new-checkout'] } }));
    const stale = await halyard(['codegen', 'flags-changed.json', '--out', 'flags.d.ts', '--check'], dir);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('flags.d.ts is stale');
  });

  it('code-refs exits 1 on useFlag("new-chekout") with "did you mean"', async () => {
    const result = await halyard(['code-refs', 'src', '--document', 'flags.json'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('src/checkout.tsx:4:22  useFlag("new-chekout"): no flag "new-chekout" in flags.json; did you mean "new-checkout"?');
    expect(result.stdout).toContain('Read by no code (candidates for removal): new-checkout, old-banner');
    const json = JSON.parse((await halyard(['code-refs', 'src', '--document', 'flags.json', '--json'], dir)).stdout);
    expect(json.unknown).toEqual([expect.objectContaining({ key: 'new-chekout', file: 'src/checkout.tsx', line: 4, suggestion: 'did you mean "new-checkout"? ' })]);
  });

  it('cleanup old-banner --keep on prints a diff, and with --write leaves <p>Sale!</p> without the useFlag line', async () => {
    const dry = await halyard(['cleanup', 'old-banner', '--keep', 'on', 'cleanup'], dir);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("-  const banner = useFlag('old-banner');");
    expect(dry.stdout).toContain('+  return <p>Sale!</p>;');
    expect(readFileSync(join(dir, 'cleanup/banner.tsx'), 'utf8')).toBe(BANNER);

    const written = await halyard(['cleanup', 'old-banner', '--keep', 'on', 'cleanup', '--write'], dir);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stderr).toContain('Removed 1 read of "old-banner" in 1 file');
    const after = readFileSync(join(dir, 'cleanup/banner.tsx'), 'utf8');
    expect(after).toBe('export function Banner() {\n  return <p>Sale!</p>;\n}\n');
    expect(after).not.toContain("useFlag('old-banner')");
  });

  it('usage errors exit 2; --help exits 0', async () => {
    expect((await halyard(['cleanup', 'old-banner', 'cleanup'], dir)).code).toBe(2);
    expect((await halyard(['codegen', 'flags.json'], dir)).code).toBe(2);
    expect((await halyard(['code-refs', 'src'], dir)).code).toBe(2);
    expect((await halyard(['lint'], dir)).code).toBe(2);
    expect((await halyard(['lint', 'flags.json', '--lifetime', 'forever'], dir)).code).toBe(2);
    const help = await halyard(['cleanup', '--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: halyard cleanup <flag> <path…> [options]');
  });
});
