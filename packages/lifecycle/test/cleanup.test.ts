import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupPaths, cleanupSource, keptValue, type CleanupTarget } from '../src/index';

const FIXTURES = new URL('./fixtures/cleanup/', import.meta.url).pathname;
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const on = (key: string): CleanupTarget => ({ key, variant: 'on', value: true });
const off = (key: string): CleanupTarget => ({ key, variant: 'off', value: false });

function cleaned(code: string, target: CleanupTarget, file = 'component.tsx'): string {
  const result = cleanupSource(code, file, target);
  if (!result.ok) throw new Error(`refused: ${result.refusal.reason}`);
  return result.output;
}

describe('cleanup on realistic fixtures', () => {
  it.each([
    ['checkout-page.input.tsx', 'checkout-page.output.tsx', on('new-checkout')],
    ['checkout-page.input.tsx', 'checkout-page-off.output.tsx', off('new-checkout')],
    ['route-handler.input.ts', 'route-handler.output.ts', on('new-pricing')],
    ['next-page.input.tsx', 'next-page.output.tsx', { key: 'checkout-theme', variant: 'dark', value: 'dark' }],
  ])('%s → %s', (input, output, target) => {
    expect(cleaned(fixture(input), target, input.replace('.input', ''))).toBe(fixture(output));
  });

  it('refuses a file whose flag key is built at run time, naming the line', () => {
    const result = cleanupSource(fixture('refused-dynamic.input.tsx'), 'promo.tsx', on('old-banner'));
    expect(result).toMatchObject({ ok: false, refusal: { file: 'promo.tsx', line: 5 } });
    expect(!result.ok && result.refusal.reason).toMatch(/useFlag\(`old-\$\{season\}`\) builds its flag key at run time/);
  });
});

describe('cleanup simplifications', () => {
  it('the issue example: the ternary keeps the kept branch and the read line goes', () => {
    const code = [
      "import { useFlag } from '@halyard/react';",
      '',
      'export function Banner() {',
      "  const banner = useFlag('old-banner');",
      '  return banner ? <p>Sale!</p> : <p>Welcome</p>;',
      '}',
      '',
    ].join('\n');
    expect(cleaned(code, on('old-banner'))).toBe(['export function Banner() {', '  return <p>Sale!</p>;', '}', ''].join('\n'));
  });

  it('early returns: a kept return drops what follows; a dropped one disappears', () => {
    const code = [
      'export function handler(req: Req) {',
      "  if (!req.flags.isEnabled('new-api')) return legacy(req);",
      '  // the new path',
      '  return modern(req);',
      '}',
      '',
    ].join('\n');
    expect(cleaned(code, on('new-api'), 'handler.ts')).toBe(['export function handler(req: Req) {', '  // the new path', '  return modern(req);', '}', ''].join('\n'));
    expect(cleaned(code, off('new-api'), 'handler.ts')).toBe(['export function handler(req: Req) {', '  return legacy(req);', '}', ''].join('\n'));
  });

  it('if/else chains, else-if, && and || in conditions', () => {
    // keep on: the admin branch stays for admins, the rest always returns 'beta'.
    const code = [
      'function pick(client: Client, user: User) {',
      "  if (user.admin && client.isEnabled('beta', { userId: user.id })) {",
      "    return 'admin-beta';",
      "  } else if (client.isEnabled('beta') || user.optIn) {",
      "    return 'beta';",
      '  } else {',
      "    return 'stable';",
      '  }',
      '}',
      '',
    ].join('\n');
    expect(cleaned(code, on('beta'), 'pick.ts')).toBe(
      ['function pick(client: Client, user: User) {', '  if (user.admin) {', "    return 'admin-beta';", '  } else {', "    return 'beta';", '  }', '}', ''].join('\n'),
    );
    expect(cleaned(code, off('beta'), 'pick.ts')).toBe(
      ['function pick(client: Client, user: User) {', '  if (user.optIn) {', "    return 'beta';", '  } else {', "    return 'stable';", '  }', '}', ''].join('\n'),
    );
  });

  it('variant and value reads compare at clean-up time; shorthand properties keep their name', () => {
    const code = [
      "import { useFlagValue, useVariant } from '@halyard/react';",
      'export function Button() {',
      "  const color = useFlagValue('button-color', 'blue');",
      "  const variant = useVariant('button-color');",
      "  const isGreen = variant === 'green';",
      '  track({ color });',
      "  return <button className={isGreen ? 'btn-green' : 'btn'} data-color={color} />;",
      '}',
      '',
    ].join('\n');
    expect(cleaned(code, { key: 'button-color', variant: 'green', value: 'green' })).toBe(
      ['export function Button() {', "  track({ color: 'green' });", '  return <button className="btn-green" data-color="green" />;', '}', ''].join('\n'),
    );
  });

  it('template literals take a kept value as text', () => {
    const code = [
      "app.get('/checkout', (req, res) => {",
      "  const isNew = req.flags.isEnabled('new-checkout');",
      '  res.send(`<div data-variant="${isNew ? \'new\' : \'old\'}">${isNew ? form() : steps()}</div>`);',
      '});',
      '',
    ].join('\n');
    expect(cleaned(code, off('new-checkout'), 'app.ts')).toBe(
      ["app.get('/checkout', (req, res) => {", '  res.send(`<div data-variant="old">${steps()}</div>`);', '});', ''].join('\n'),
    );
  });

  it('<Flag> with a variant, with children, and in expression position', () => {
    const code = [
      "import { Flag } from '@halyard/react';",
      'export const Page = () => (',
      '  <div>',
      '    <Flag name="checkout-experiment" variant="treatment" on={<Banner />} />',
      '    <Flag name="checkout-experiment" variant="control">',
      '      <Old />',
      '    </Flag>',
      '  </div>',
      ');',
      'export const Only = () => <Flag name="checkout-experiment" variant="treatment" on={<A />} off={<B />} />;',
      '',
    ].join('\n');
    expect(cleaned(code, { key: 'checkout-experiment', variant: 'treatment', value: 'treatment' })).toBe(
      ['export const Page = () => (', '  <div>', '    <Banner />', '  </div>', ');', 'export const Only = () => <A />;', ''].join('\n'),
    );
  });

  it('a key held in a constant is followed; other flags and unrelated code are untouched', () => {
    const code = [
      "import { useFlag } from '@halyard/react';",
      "const FLAG = 'old-banner';",
      'export function A() {',
      '  const a = useFlag(FLAG);',
      "  const b = useFlag('other-flag');",
      '  const debug = true;',
      '  return a && b && debug ? <X /> : null;',
      '}',
      '',
    ].join('\n');
    expect(cleaned(code, on('old-banner'))).toBe(
      ["import { useFlag } from '@halyard/react';", 'export function A() {', "  const b = useFlag('other-flag');", '  const debug = true;', '  return b && debug ? <X /> : null;', '}', ''].join('\n'),
    );
  });

  it('refuses a run-time key that fits the flag even in a file that never names it; a wrapper prop is no such key', () => {
    const assembled = cleanupSource('export const Season = ({ s }: { s: string }) => (useFlag(`old-${s}`) ? 1 : 2);\n', 'season.tsx', on('old-banner'));
    expect(assembled).toMatchObject({ ok: false, refusal: { line: 1 } });
    expect(cleanupSource("const k = 'new-' + s;\nclient.isEnabled('new-' + s);\n", 'k.ts', on('new-checkout'))).toMatchObject({ ok: false });
    const wrapper = 'export function Gate({ flag, children }: Props) {\n  return useFlag(flag) ? children : null;\n}\n';
    expect(cleaned(wrapper, on('old-banner'))).toBe(wrapper);
    expect(cleaned('useFlag(`beta-${s}`);\n', on('old-banner'))).toBe('useFlag(`beta-${s}`);\n');
  });

  it('refuses reads it cannot replace by a value (details, handles)', () => {
    const details = cleanupSource("const d = client.getDetails('old-banner', false);\n", 'a.ts', on('old-banner'));
    expect(details).toMatchObject({ ok: false, refusal: { line: 1 } });
    expect(!details.ok && details.refusal.reason).toMatch(/evaluation details/);
    const handle = cleanupSource("const h = client.flag('old-banner');\n", 'a.ts', on('old-banner'));
    expect(!handle.ok && handle.refusal.reason).toMatch(/flag handle/);
  });

  it('leaves a file without reads of the flag exactly as it was', () => {
    const code = "import { useFlag } from '@halyard/react';\n// formatting   kept\nexport const A = () => useFlag('x') ? 1 : 2;\n";
    expect(cleaned(code, on('old-banner'))).toBe(code);
  });

  it('keptValue: from the definition, else on/off', () => {
    expect(keptValue('on')).toBe(true);
    expect(keptValue('off')).toBe(false);
    expect(keptValue('green', { variants: { blue: 'b', green: 'g' }, enabled: true, defaultServe: { variant: 'blue' } })).toBe('g');
    expect(() => keptValue('green')).toThrow(/--document/);
    expect(() => keptValue('red', { variants: { blue: 'b' }, enabled: true, defaultServe: { variant: 'blue' } })).toThrow(/keep one of: blue/);
  });
});

describe('cleanupPaths', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints a diff by default, writes with write: true, and writes nothing when any file is refused', () => {
    dir = mkdtempSync(join(tmpdir(), 'halyard-cleanup-'));
    cpSync(join(FIXTURES, 'checkout-page.input.tsx'), join(dir, 'checkout.tsx'));
    const dry = cleanupPaths([dir], on('new-checkout'), { root: dir });
    expect(dry.changed.map((c) => c.file)).toEqual(['checkout.tsx']);
    expect(dry.changed[0]!.diff).toContain("-  const newCheckout = useFlag('new-checkout');");
    expect(dry.changed[0]!.diff).toMatch(/^--- a\/checkout\.tsx\n\+\+\+ b\/checkout\.tsx\n@@/);
    expect(readFileSync(join(dir, 'checkout.tsx'), 'utf8')).toBe(fixture('checkout-page.input.tsx'));

    cpSync(join(FIXTURES, 'refused-dynamic.input.tsx'), join(dir, 'promo.tsx'));
    const refused = cleanupPaths([dir], on('old-banner'), { root: dir, write: true });
    expect(refused.refused).toMatchObject([{ file: 'promo.tsx', line: 5 }]);
    expect(readFileSync(join(dir, 'promo.tsx'), 'utf8')).toBe(fixture('refused-dynamic.input.tsx'));

    const written = cleanupPaths([join(dir, 'checkout.tsx')], on('new-checkout'), { root: dir, write: true });
    expect(written.refused).toEqual([]);
    expect(readFileSync(join(dir, 'checkout.tsx'), 'utf8')).toBe(fixture('checkout-page.output.tsx'));
  });
});
