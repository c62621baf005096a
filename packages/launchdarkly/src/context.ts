/*
 * The Halyard context shape for LaunchDarkly contexts. LaunchDarkly evaluates a clause against one kind of a
 * (possibly multi-kind) context; Halyard reads dot paths. So every kind becomes a top-level object named after it,
 * and `kind` lists the kinds present (LaunchDarkly's `kind` attribute is matched against each kind of the context,
 * which Halyard's any-element rule for arrays does):
 *
 *   { kind: "multi", user: { key: "u1", email: "a@x" }, org: { key: "o1", plan: "pro" } }
 *   → { kind: ["user", "org"], user: { key: "u1", email: "a@x" }, org: { key: "o1", plan: "pro" } }
 *
 * The imported flags read `user.email`, `org.plan`, `org.key`…, and `kind`. LaunchDarkly never allows a kind named
 * `kind` or `multi`, so the names cannot collide.
 */

type Rec = Record<string, unknown>;

function isObj(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One kind's attributes, without `kind` and `_meta` (LaunchDarkly makes neither addressable as an attribute). */
function attributes(single: Rec): Rec {
  const out: Rec = {};
  for (const [name, value] of Object.entries(single)) {
    if (name !== 'kind' && name !== '_meta') out[name] = value;
  }
  return out;
}

/** LaunchDarkly's `legacyToSingleKind`: custom attributes first, then the built-in user attributes over them. */
function legacyUser(user: Rec): Rec {
  const out: Rec = { ...(isObj(user.custom) ? user.custom : {}), key: String(user.key) };
  if (user.anonymous !== undefined && user.anonymous !== null) out.anonymous = !!user.anonymous;
  for (const name of ['name', 'ip', 'firstName', 'lastName', 'email', 'avatar', 'country']) {
    if (user[name] !== undefined && user[name] !== null) out[name] = user[name];
  }
  return out;
}

/**
 * Converts a LaunchDarkly context (single-kind `{ kind, key, … }`, multi-kind `{ kind: "multi", user: {…}, org: {…} }`,
 * or a legacy user `{ key, custom: {…} }`) into the Halyard context the flags from `importLaunchDarkly` read:
 * one top-level object per kind, plus `kind`, the list of kinds. Anything else gives `{ kind: [] }`.
 *
 * @example
 * launchdarklyContext({ kind: 'multi', user: { key: 'u1' }, org: { key: 'o1', plan: 'pro' } });
 * // { kind: ['user', 'org'], user: { key: 'u1' }, org: { key: 'o1', plan: 'pro' } }
 * launchdarklyContext({ key: 'u1', custom: { plan: 'pro' } }); // { kind: ['user'], user: { key: 'u1', plan: 'pro' } }
 */
export function launchdarklyContext(context: unknown): Record<string, unknown> {
  if (!isObj(context)) return { kind: [] };
  const kind = context.kind;
  if (kind === undefined || kind === null) {
    return context.key === undefined ? { kind: [] } : { kind: ['user'], user: legacyUser(context) };
  }
  if (kind === 'multi') {
    const out: Rec = {};
    const kinds: string[] = [];
    for (const [name, single] of Object.entries(context)) {
      if (name === 'kind' || name === '_meta' || !isObj(single)) continue;
      kinds.push(name);
      out[name] = attributes(single);
    }
    out.kind = kinds;
    return out;
  }
  if (typeof kind !== 'string') return { kind: [] };
  return { kind: [kind], [kind]: attributes(context) };
}
