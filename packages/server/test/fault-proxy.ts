import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on loopback (port 0) between the service and PostgreSQL or Redis, for fault-injection tests:
 * `blackHole()` stops forwarding in both directions while keeping every socket open (packets dropped, as on a
 * dead network path; new connections are accepted and then hear nothing), `cut()` resets every connection,
 * `delay(ms)` holds each chunk back, `heal()` forwards normally again (held-back data is then dropped, not
 * delivered late, like lost packets).
 *
 * @example
 * const proxy = await FaultProxy.start({ host: '127.0.0.1', port: 5432 });
 * const server = await createServer({ databaseUrl: proxy.url('postgres://postgres@HOST/test'), … });
 * proxy.blackHole();
 */
export class FaultProxy {
  private mode: 'forward' | 'black-hole' = 'forward';
  private delayMs = 0;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    let proxy: FaultProxy | undefined;
    const server = createServer((client) => proxy!.accept(client));
    proxy = new FaultProxy(server, target);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  /** Open client connections. */
  get connections(): number {
    return this.pairs.size;
  }

  blackHole(): void {
    this.mode = 'black-hole';
  }

  heal(): void {
    this.mode = 'forward';
    this.delayMs = 0;
  }

  delay(ms: number): void {
    this.delayMs = ms;
  }

  /** Resets every open connection (the database restarted, a NAT forgot the flow). */
  cut(): void {
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (this.mode === 'black-hole') return;
        const mode = this.mode;
        if (this.delayMs === 0) to.write(chunk);
        else setTimeout(() => mode === this.mode && !to.destroyed && to.write(chunk), this.delayMs);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }
}
