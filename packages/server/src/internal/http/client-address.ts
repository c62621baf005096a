import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

export type TrustProxy = boolean | string | string[] | number;

/**
 * The client address of a raw node:http request, exactly as Fastify computes `request.ip` for the same
 * `trustProxy` option (fastify/lib/request.js `getTrustProxyFn`, same proxy-addr package). The definitions fast
 * path runs before Fastify and needs it to apply the failed-authentication limit per address, like the route.
 */
export function clientAddress(trustProxy: TrustProxy): (req: IncomingMessage) => string {
  if (trustProxy === false) return (req) => req.socket.remoteAddress ?? '';
  const trust =
    trustProxy === true
      ? () => true
      : typeof trustProxy === 'number'
        ? () => false
        : proxyAddr.compile(typeof trustProxy === 'string' ? trustProxy.split(',').map((value) => value.trim()) : trustProxy);
  return (req) => {
    const addresses = proxyAddr.all(req, trust);
    return addresses[addresses.length - 1] ?? '';
  };
}
