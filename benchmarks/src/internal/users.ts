/**
 * 10,000 deterministic users. Every implementation gets the same people, each in the context shape its SDK
 * expects, built once up front: converting a request into a context is the caller's cost, not the evaluator's.
 */

export interface User {
  userId: string;
  country: string;
  plan: string;
  email: string;
}

export const USER_COUNT = 10_000;

const COUNTRIES = ['US', 'CA', 'GB', 'DE', 'FR', 'JP', 'BR', 'IN'];
const PLANS = ['free', 'pro', 'enterprise'];
const DOMAINS = ['example.com', 'example.org', 'mail.test'];

// mulberry32: tiny, seeded, good enough to spread attributes; Math.random would make runs differ.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** UUID-shaped ids (version-4 layout, deterministic). */
function uuid(random: () => number): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(random() * 16).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * `idStyle: 'short'` (default) gives ids like `user-4711` (6–9 characters), the usual benchmark fixture and
 * the likely shape behind the anchor figures; `'uuid'` gives 36-character UUIDs. Hashing costs roughly 2 ns per
 * byte in JavaScript, so UUIDs add ~60 ns to every hashing implementation, the hand-written floor included.
 */
export function buildUsers(count = USER_COUNT, idStyle: 'short' | 'uuid' = 'short', seed = 20_261_121): User[] {
  const random = prng(seed);
  const users: User[] = [];
  for (let i = 0; i < count; i++) {
    const userId = idStyle === 'uuid' ? uuid(random) : `user-${i}`;
    users.push({
      userId,
      country: pick(random, COUNTRIES),
      plan: pick(random, PLANS),
      email: `user${i}@${pick(random, DOMAINS)}`,
    });
  }
  // Round-trip through JSON so every string is flat (sequential), as ids parsed from a request or a session are.
  // Built by concatenation and slicing they would be cons/sliced strings, on which charCodeAt is several times
  // slower — that would measure string representation, not flag evaluation.
  return JSON.parse(JSON.stringify(users)) as User[];
}
