import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/** What the proxy does to the connections through it. */
type Mode = 'forward' | 'black-hole' | 'down';

/** One direction of one connection: bytes (and the end of the stream) held while the path is black-holed. */
interface Direction {
  to: Socket;
  held: Buffer[];
  ended: boolean;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  up: Direction;
  down: Direction;
}

/** A one-shot fault fired by the bytes a client sends (e.g. the `commit` of a transaction). */
interface Trigger {
  pattern: Buffer;
  action: 'black-hole-before' | 'black-hole-after' | 'cut-before' | 'cut-after';
  fired: () => void;
}

/**
 * A TCP proxy on loopback (port 0) between the service and PostgreSQL or Redis, for fault-injection tests. It
 * behaves as the network would, seen from both ends:
 *
 * - `blackHole()`: a dead path with sockets left open. Nothing arrives in either direction; new connections are
 *   accepted and then hear nothing. Like TCP retransmitting into the void, the bytes are not lost: `heal()`
 *   delivers them in order, late (a statement sent into the black hole runs when the path comes back, unless its
 *   session has ended meanwhile). A close is held back too, and happens on heal.
 * - `cut()`: resets every open connection (the database restarted, a NAT forgot the flow); held bytes are lost.
 * - `down()`: cut, and refuse new connections until `heal()` (the database is not running).
 * - `delay(ms)`: holds each chunk back `ms` (order kept).
 * - `when(pattern, action)`: fires a fault the moment a client sends `pattern`, before or after forwarding it:
 *   loss mid-write at an exact point of the protocol.
 *
 * @example
 * const proxy = await FaultProxy.start({ host: '127.0.0.1', port: 5432 });
 * const server = await createServer({ databaseUrl: proxy.url('postgres://postgres@127.0.0.1:5432/test'), … });
 * proxy.blackHole();
 */
export class FaultProxy {
  private mode: Mode = 'forward';
  private delayMs = 0;
  private readonly pairs = new Set<Pair>();
  private readonly triggers: Trigger[] = [];
  /** Connections accepted so far (a reconnect shows up here). */
  accepted = 0;

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

  /** Forwards normally again; black-holed bytes and closes are delivered now, in order. */
  heal(): void {
    this.mode = 'forward';
    this.delayMs = 0;
    for (const pair of [...this.pairs]) {
      this.flush(pair.up);
      this.flush(pair.down);
    }
  }

  delay(ms: number): void {
    this.delayMs = ms;
  }

  /** Resets every open connection; what was held back is lost. */
  cut(): void {
    for (const pair of this.pairs) {
      pair.up.held = [];
      pair.down.held = [];
      pair.client.resetAndDestroy();
      pair.upstream.resetAndDestroy();
    }
    this.pairs.clear();
  }

  /** The service is down: open connections are reset and new ones refused until `heal()`. */
  down(): void {
    this.mode = 'down';
    this.cut();
  }

  /**
   * The next time a client sends bytes containing `pattern`, black-holes or cuts: `…-before` so those bytes do
   * not reach the server (until a heal), `…-after` so they do and the answer is what gets lost. Resolves when fired.
   */
  when(pattern: string, action: Trigger['action']): Promise<void> {
    return new Promise((resolve) => this.triggers.push({ pattern: Buffer.from(pattern), action, fired: resolve }));
  }

  async close(): Promise<void> {
    this.triggers.length = 0;
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.accepted++;
    if (this.mode === 'down') {
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    const pair: Pair = { client, upstream, up: { to: upstream, held: [], ended: false }, down: { to: client, held: [], ended: false } };
    this.pairs.add(pair);
    client.on('data', (chunk: Buffer) => this.fromClient(pair, chunk));
    upstream.on('data', (chunk: Buffer) => this.send(pair.down, chunk));
    // A close travels like data: held in a black hole, delivered (as the end of the stream) on heal.
    client.on('end', () => this.end(pair, pair.up));
    upstream.on('end', () => this.end(pair, pair.down));
    const gone = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', gone);
    upstream.on('error', gone);
    client.on('close', () => (this.mode === 'black-hole' ? this.end(pair, pair.up) : gone()));
    upstream.on('close', () => (this.mode === 'black-hole' ? this.end(pair, pair.down) : gone()));
  }

  private fromClient(pair: Pair, chunk: Buffer): void {
    const index = this.triggers.findIndex((t) => chunk.includes(t.pattern));
    if (index < 0) return this.send(pair.up, chunk);
    const [trigger] = this.triggers.splice(index, 1);
    const { action, fired } = trigger!;
    if (action === 'black-hole-after' || action === 'cut-after') this.send(pair.up, chunk);
    if (action === 'black-hole-before' || action === 'black-hole-after') this.blackHole();
    if (action === 'black-hole-before') this.send(pair.up, chunk);
    if (action === 'cut-before' || action === 'cut-after') {
      // After the forwarded bytes left: the server gets them, the client never hears back.
      setImmediate(() => this.cut());
    }
    fired();
  }

  private send(direction: Direction, chunk: Buffer): void {
    if (this.mode === 'black-hole' || direction.held.length > 0) {
      direction.held.push(chunk);
      return;
    }
    if (this.delayMs === 0) {
      if (!direction.to.destroyed) direction.to.write(chunk);
      return;
    }
    const ms = this.delayMs;
    direction.held.push(chunk);
    setTimeout(() => {
      if (direction.held[0] === chunk && this.mode !== 'black-hole') {
        direction.held.shift();
        if (!direction.to.destroyed) direction.to.write(chunk);
      }
    }, ms);
  }

  private end(pair: Pair, direction: Direction): void {
    if (direction.ended) return;
    direction.ended = true;
    if (this.mode !== 'black-hole' && direction.held.length === 0) this.finish(pair, direction);
  }

  private flush(direction: Direction): void {
    const held = direction.held.splice(0);
    for (const chunk of held) if (!direction.to.destroyed) direction.to.write(chunk);
    const pair = [...this.pairs].find((p) => p.up === direction || p.down === direction);
    if (pair && direction.ended) this.finish(pair, direction);
  }

  /** The sender closed: end the other side after what was sent, and forget the pair once both ends closed. */
  private finish(pair: Pair, direction: Direction): void {
    if (!direction.to.destroyed) direction.to.end();
    if (pair.up.ended && pair.down.ended) {
      this.pairs.delete(pair);
      setImmediate(() => {
        pair.client.destroy();
        pair.upstream.destroy();
      });
    }
  }
}
