/**
 * Many SSE clients in one child process of `pnpm bench:server` (scale rows): raw `net` sockets, one hand-written
 * HTTP/1.1 request each, no HTTP parser and no decoding. A client only looks for the `id: <version>` lines of
 * identity-encoded events and stamps the arrival of each new version with `process.hrtime` (CLOCK_MONOTONIC, the
 * same clock in every process on the machine, so the parent compares it with the time it sent the toggle).
 *
 * Protocol (process.send / 'message'):
 *   parent → { type: 'open', host, port, path, token, count, lastEventId }   child → { type: 'opened', open, failed, firstError }
 *   parent → { type: 'status', after }   child → { type: 'status', reached, total, arrivals, cpuMs }  (arrivals in ms, only
 *                                         when all reached or `final`; cpuMs: this process's CPU time so far)
 *   parent → { type: 'close' }           child exits
 */
import net from 'node:net';

interface Client {
  socket: net.Socket;
  lastVersion: number;
  /** Arrival (ms, monotonic) of each version seen after the connect, by version. */
  arrivals: Map<number, number>;
  tail: Buffer;
  ok: boolean;
}

const ID_LINE = Buffer.from('\nid: ');
const clients: Client[] = [];

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

function scanIn(client: Client, data: Buffer, at: number): void {
  let i = data.indexOf(ID_LINE);
  while (i >= 0) {
    const end = data.indexOf(10, i + ID_LINE.length);
    if (end < 0) return;
    const version = Number(data.toString('latin1', i + ID_LINE.length, end));
    if (version > client.lastVersion) {
      client.lastVersion = version;
      client.arrivals.set(version, at);
    }
    i = data.indexOf(ID_LINE, end);
  }
}

function open(host: string, port: number, path: string, token: string, lastEventId: string | undefined): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const client: Client = { socket, lastVersion: 0, arrivals: new Map(), tail: Buffer.alloc(0), ok: false };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no response headers within 30 s'));
    }, 30_000);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n` +
          `Accept-Encoding: identity\r\n${lastEventId ? `Last-Event-ID: ${lastEventId}\r\n` : ''}\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      const at = nowMs();
      if (!client.ok) {
        // The status line is in the first bytes of the response.
        if (!chunk.subarray(0, 16).toString('latin1').startsWith('HTTP/1.1 200')) {
          clearTimeout(timer);
          socket.destroy();
          reject(new Error(`stream: ${chunk.subarray(0, 40).toString('latin1').split('\r\n')[0]}`));
          return;
        }
        client.ok = true;
        clearTimeout(timer);
        resolve(client);
      }
      // An id line split across reads is found in a small join of the previous read's tail and this one's head.
      if (client.tail.length > 0) scanIn(client, Buffer.concat([client.tail, chunk.subarray(0, 40)]), at);
      scanIn(client, chunk, at);
      client.tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - 39)));
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (!client.ok) reject(error);
    });
  });
}

process.on('message', async (message: any) => {
  if (message.type === 'open') {
    let failed = 0;
    let firstError: string | undefined;
    // Batches of 200: a burst of 10,000 SYNs overflows the listen backlog and costs retransmit seconds.
    for (let i = 0; i < message.count; i += 200) {
      const batch = await Promise.allSettled(
        Array.from({ length: Math.min(200, message.count - i) }, () => open(message.host, message.port, message.path, message.token, message.lastEventId)),
      );
      for (const r of batch) {
        if (r.status === 'fulfilled') clients.push(r.value);
        else {
          failed++;
          firstError ??= (r.reason as Error).message;
        }
      }
    }
    process.send!({ type: 'opened', open: clients.length, failed, firstError });
  } else if (message.type === 'status') {
    let reached = 0;
    for (const c of clients) if (c.lastVersion > message.after) reached++;
    const arrivals: number[] = [];
    if (reached === clients.length || message.final) {
      // The first version after `after` that each client saw, when it arrived.
      for (const c of clients) {
        let first = Infinity;
        let at = NaN;
        for (const [version, time] of c.arrivals) if (version > message.after && version < first) [first, at] = [version, time];
        if (Number.isFinite(at)) arrivals.push(at);
      }
    }
    const cpu = process.cpuUsage();
    process.send!({ type: 'status', reached, total: clients.length, arrivals, cpuMs: (cpu.user + cpu.system) / 1000 });
  } else if (message.type === 'close') {
    for (const c of clients) c.socket.destroy();
    process.exit(0);
  }
});
process.send!({ type: 'ready' });
