import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { KeyStore } from './store/key-store';

export type KeyType = 'sdk' | 'client' | 'admin';
export type Role = 'viewer' | 'editor' | 'admin';

/** Public metadata of an API key; the token itself is never stored. */
export interface ApiKey {
  id: string;
  type: KeyType;
  /** Admin tokens only. */
  role?: Role;
  /** SDK and client keys only: the environment they read. */
  environment?: string;
  name: string;
  /** The first characters of the token, to recognise it in lists. */
  prefix: string;
  createdAt: string;
  createdBy: string | null;
}

const TOKEN_PREFIX: Record<KeyType, string> = { sdk: 'hy_sdk_', client: 'hy_client_', admin: 'hy_admin_' };

export interface NewKey {
  id: string;
  token: string;
  hash: string;
  prefix: string;
}

/** 256 random bits behind a readable prefix. A plain SHA-256 suffices for storage: the token is not guessable. */
export function createKey(type: KeyType): NewKey {
  const token = TOKEN_PREFIX[type] + randomBytes(32).toString('base64url');
  return { id: randomUUID(), token, hash: hashToken(token).toString('hex'), prefix: token.slice(0, TOKEN_PREFIX[type].length + 6) };
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * In-memory view of the active keys, so the SDK hot path never touches the database. Other instances' key changes
 * arrive as notifications (`reload`); a periodic reload bounds staleness if one is lost.
 */
export class KeyRing {
  private byHash = new Map<string, { key: ApiKey; hash: Buffer }>();
  private generation = 0;

  constructor(private readonly store: KeyStore) {}

  async reload(): Promise<Set<string>> {
    const generation = ++this.generation;
    const rows = await this.store.activeHashes();
    if (generation !== this.generation) return new Set();
    const next = new Map<string, { key: ApiKey; hash: Buffer }>();
    for (const row of rows) next.set(row.hash, { key: row.key, hash: Buffer.from(row.hash, 'hex') });
    const removed = new Set<string>();
    const nextIds = new Set([...next.values()].map((entry) => entry.key.id));
    for (const { key } of this.byHash.values()) if (!nextIds.has(key.id)) removed.add(key.id);
    this.byHash = next;
    return removed;
  }

  /** Adds or removes one key locally right after this instance committed the change. */
  remember(key: ApiKey, hash: string): void {
    this.byHash.set(hash, { key, hash: Buffer.from(hash, 'hex') });
  }

  forget(id: string): void {
    for (const [hash, entry] of this.byHash) if (entry.key.id === id) this.byHash.delete(hash);
  }

  /** Synchronous lookup; `undefined` when the key is unknown to this instance (it may be brand new elsewhere). */
  lookup(token: string): ApiKey | undefined {
    const hash = hashToken(token);
    const entry = this.byHash.get(hash.toString('hex'));
    // The map lookup already matched; the constant-time comparison keeps the check itself free of timing leaks.
    return entry && timingSafeEqual(entry.hash, hash) ? entry.key : undefined;
  }

  /** Lookup that falls back to the database for keys created on another instance moments ago. */
  async authenticate(token: string): Promise<ApiKey | undefined> {
    const found = this.lookup(token);
    if (found) return found;
    const hash = hashToken(token);
    const row = await this.store.findActiveByHash(hash.toString('hex'));
    if (!row || !timingSafeEqual(Buffer.from(row.hash, 'hex'), hash)) return undefined;
    this.remember(row.key, row.hash);
    return row.key;
  }
}

/** Counts failed authentications per client IP in fixed one-minute windows. */
export class AuthFailureLimiter {
  private windows = new Map<string, { count: number; resetAt: number }>();
  private blockedUntil = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  /** True while any address is blocked: until then the fast path need not work out the client's address. */
  anyBlocked(now = Date.now()): boolean {
    return now < this.blockedUntil;
  }

  /** Seconds until the IP may try again, or 0 when it is not blocked. */
  blockedFor(ip: string, now = Date.now()): number {
    if (this.limit <= 0) return 0;
    const window = this.windows.get(ip);
    if (!window || window.resetAt <= now || window.count < this.limit) return 0;
    return Math.ceil((window.resetAt - now) / 1000);
  }

  fail(ip: string, now = Date.now()): void {
    if (this.limit <= 0) return;
    const window = this.windows.get(ip);
    let current = window;
    if (!current || current.resetAt <= now) this.windows.set(ip, (current = { count: 1, resetAt: now + this.windowMs }));
    else current.count++;
    if (current.count >= this.limit) this.blockedUntil = Math.max(this.blockedUntil, current.resetAt);
  }

  sweep(now = Date.now()): void {
    for (const [ip, window] of this.windows) if (window.resetAt <= now) this.windows.delete(ip);
  }
}
