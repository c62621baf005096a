import dns from 'node:dns';
import net from 'node:net';

/**
 * Every peer SDK must run offline in the benchmark: a network round trip (or a retry timer firing one) would
 * both skew CPU time and mean we are not measuring local evaluation. Rather than trusting configuration, the
 * harness makes any connection attempt fail loudly and counts it, and prints the count.
 */
export const networkAttempts: string[] = [];

let installed = false;

export function forbidNetwork(): void {
  if (installed) return;
  installed = true;
  const originalConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function connect(this: net.Socket, ...args: unknown[]) {
    const target = args[0];
    networkAttempts.push(`socket connect ${JSON.stringify(typeof target === 'object' ? target : args.slice(0, 2))}`);
    process.nextTick(() => this.destroy(new Error('@halyard/benchmarks: network access is disabled in the benchmark')));
    return this;
  } as typeof originalConnect;
  const lookup = function lookup(hostname: string, ...rest: unknown[]) {
    networkAttempts.push(`dns lookup ${hostname}`);
    const callback = rest[rest.length - 1];
    if (typeof callback === 'function') {
      process.nextTick(() => callback(new Error('@halyard/benchmarks: DNS is disabled in the benchmark')));
    }
  };
  dns.lookup = lookup as unknown as typeof dns.lookup;
  globalThis.fetch = ((input: unknown) => {
    networkAttempts.push(`fetch ${String(input)}`);
    return Promise.reject(new Error('@halyard/benchmarks: fetch is disabled in the benchmark'));
  }) as typeof fetch;
}
