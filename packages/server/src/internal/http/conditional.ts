import type { DocumentEntry } from '../document-hub';
import { parseEntityTags } from '../json';

export const JSON_TYPE = 'application/json; charset=utf-8';

export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  // Fast path for the usual "gzip, deflate, br"; a q=0 entry means "never gzip".
  const index = header.indexOf('gzip');
  if (index < 0) return false;
  return !/gzip\s*;\s*q=0(?:\.0*)?(?:\s*,|\s*$)/.test(header);
}

/** True when If-None-Match names this document version, in either representation. */
export function documentNotModified(header: string | undefined, entry: DocumentEntry): boolean {
  if (header === undefined) return false;
  if (header === entry.gzipEtag || header === entry.etag) return true;
  const tags = parseEntityTags(header);
  if (tags === '*') return true;
  const v = String(entry.version);
  return tags !== undefined && tags.some((tag) => tag === v || tag === `${v}-gzip`);
}

/** True when If-None-Match names this entity tag (without quotes). */
export function tagNotModified(header: string | undefined, tag: string): boolean {
  const tags = parseEntityTags(header);
  return tags === '*' || (tags !== undefined && tags.includes(tag));
}
