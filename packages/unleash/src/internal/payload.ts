import { describe, fld, idx, isObj, own, type Obj } from './json-shape';
import type { Issues } from './issues';

export interface SourceFeature {
  raw: Obj;
  path: string;
  name: string;
}

export interface SourceSegment {
  raw: Obj;
  path: string;
  id: string;
}

export interface SourcePayload {
  features: Map<string, SourceFeature>;
  segments: Map<string, SourceSegment>;
  revision: string | number | undefined;
}

function readFeature(v: unknown, path: string, into: Map<string, SourceFeature>, issues: Issues): void {
  if (!isObj(v)) {
    issues.error(path, `a feature must be an object with "name", "enabled" and "strategies", got ${describe(v)}; skipped`);
    return;
  }
  const name = own(v, 'name');
  if (typeof name !== 'string' || name.length === 0) {
    issues.error(fld(path, 'name'), `a feature needs a non-empty string "name", got ${describe(name)}; skipped`);
    return;
  }
  if (into.has(name)) {
    issues.warn(path, `feature ${JSON.stringify(name)} appears more than once; the last definition wins, as in Unleash`);
    into.delete(name);
  }
  into.set(name, { raw: v, path, name });
}

function readSegment(v: unknown, path: string, into: Map<string, SourceSegment>, issues: Issues): void {
  if (!isObj(v)) {
    issues.error(path, `a segment must be an object with "id" and "constraints", got ${describe(v)}; skipped`);
    return;
  }
  const id = own(v, 'id');
  if (!((typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id.length > 0))) {
    issues.error(fld(path, 'id'), `a segment needs a numeric "id", got ${describe(id)}; skipped`);
    return;
  }
  into.set(String(id), { raw: v, path, id: String(id) });
}

export function readList(v: unknown, path: string, what: string, issues: Issues): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    issues.error(path, `"${what}" must be an array, got ${describe(v)}; ignored`);
    return [];
  }
  return v;
}

/**
 * Reads a client features payload (`{ version, features, segments }`) or a delta payload (`{ events: [...] }`,
 * applied in order). Returns undefined, with an error, when the input is not a payload at all.
 */
export function readPayload(input: unknown, issues: Issues): SourcePayload | undefined {
  let data = input;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data) as unknown;
    } catch (e) {
      issues.error('$', `not valid JSON (${e instanceof Error ? e.message : String(e)}); pass the body of Unleash's /api/client/features`);
      return undefined;
    }
  }
  if (!isObj(data)) {
    issues.error('$', `an Unleash payload must be an object like { "version": 2, "features": [...] }, got ${describe(data)}`);
    return undefined;
  }
  const features = new Map<string, SourceFeature>();
  const segments = new Map<string, SourceSegment>();
  const meta = own(data, 'meta');
  let revision: string | number | undefined;
  if (isObj(meta)) {
    const r = own(meta, 'revisionId') ?? own(meta, 'etag');
    if ((typeof r === 'number' && Number.isFinite(r)) || (typeof r === 'string' && r.length > 0 && r.length <= 200)) revision = r;
  }
  const events = own(data, 'events');
  if (events !== undefined) {
    if (!Array.isArray(events)) {
      issues.error('$.events', `"events" must be an array of delta events, got ${describe(events)}`);
      return undefined;
    }
    events.forEach((ev: unknown, i) => {
      const p = idx('$.events', i);
      if (!isObj(ev)) {
        issues.error(p, `a delta event must be an object with a "type", got ${describe(ev)}; skipped`);
        return;
      }
      const type = own(ev, 'type');
      switch (type) {
        case 'hydration':
          features.clear();
          segments.clear();
          readList(own(ev, 'features'), fld(p, 'features'), 'features', issues).forEach((f, j) =>
            readFeature(f, idx(fld(p, 'features'), j), features, issues),
          );
          readList(own(ev, 'segments'), fld(p, 'segments'), 'segments', issues).forEach((s, j) =>
            readSegment(s, idx(fld(p, 'segments'), j), segments, issues),
          );
          break;
        case 'feature-updated':
          readFeature(own(ev, 'feature'), fld(p, 'feature'), features, issues);
          break;
        case 'feature-removed': {
          const name = own(ev, 'featureName');
          if (typeof name === 'string') features.delete(name);
          else issues.error(fld(p, 'featureName'), `"featureName" must be a string, got ${describe(name)}; event skipped`);
          break;
        }
        case 'segment-updated':
          readSegment(own(ev, 'segment'), fld(p, 'segment'), segments, issues);
          break;
        case 'segment-removed': {
          const id = own(ev, 'segmentId');
          if (typeof id === 'number' || typeof id === 'string') segments.delete(String(id));
          else issues.error(fld(p, 'segmentId'), `"segmentId" must be a number, got ${describe(id)}; event skipped`);
          break;
        }
        default:
          issues.warn(fld(p, 'type'), `unknown delta event type ${describe(type)}; skipped`);
      }
    });
    return { features, segments, revision };
  }
  const list = own(data, 'features');
  if (!Array.isArray(list)) {
    issues.error('$.features', `"features" must be an array of Unleash features, got ${describe(list)}`);
    return undefined;
  }
  list.forEach((f: unknown, i) => readFeature(f, idx('$.features', i), features, issues));
  readList(own(data, 'segments'), '$.segments', 'segments', issues).forEach((s, i) => readSegment(s, idx('$.segments', i), segments, issues));
  return { features, segments, revision };
}
