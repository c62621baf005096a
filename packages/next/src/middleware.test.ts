import { describe, expect, it } from 'vitest';
import { NextRequest } from 'next/server';
import { evaluateInMiddleware } from '@halyard/next/middleware';
import type { NextContextFn } from '@halyard/next';
import { DOCUMENT, controlledClient } from '../test/helpers';

const context: NextContextFn = ({ cookies }) => ({ userId: cookies.get('uid')?.value });

describe('evaluateInMiddleware()', () => {
  it('evaluates a bundled flags document for the request (both sides)', async () => {
    const alice = await evaluateInMiddleware(new NextRequest('http://localhost/checkout', { headers: { cookie: 'uid=alice' } }), { definitions: DOCUMENT, context });
    const bob = await evaluateInMiddleware(new NextRequest('http://localhost/checkout', { headers: { cookie: 'uid=bob' } }), { definitions: DOCUMENT, context });
    expect([alice.isEnabled('new-checkout'), bob.isEnabled('new-checkout')]).toEqual([true, false]);
    expect(alice.variant('button-color')).toBe('green');
  });

  it('evaluates through a live client, and sees a cookie the proxy just set on the request', async () => {
    const { client } = controlledClient(DOCUMENT);
    const request = new NextRequest('http://localhost/checkout');
    request.cookies.set('uid', 'alice');
    const flags = await evaluateInMiddleware(request, { client, context });
    expect(flags.isEnabled('new-checkout')).toBe(true);
    // A plain Request works too (cookies parsed from the header).
    const plain = await evaluateInMiddleware(new Request('http://localhost/', { headers: { cookie: 'a=1; uid=alice' } }), { client, context });
    expect(plain.context()).toEqual({ userId: 'alice' });
  });

  it('rejects an invalid bundled document with the field path', async () => {
    const broken = { schemaVersion: 1, flags: { x: { variants: { on: true }, enabled: true, offVariant: 'nope', defaultServe: { variant: 'on' } } } } as never;
    await expect(evaluateInMiddleware(new Request('http://localhost/'), { definitions: broken, context })).rejects.toThrow(/offVariant/);
  });
});
