import type { FlagDefinition, FlagsDocument, SegmentDefinition } from '@halyard/core';
import { composeDocument } from '../compose-document';
import type { Queryable } from './db';

/** Reads whole environment documents. */
export class DocumentStore {
  constructor(private readonly q: Queryable) {}

  /** One environment's current served document in a single statement (one snapshot). `undefined` if it does not exist. */
  async load(env: string): Promise<FlagsDocument | undefined> {
    const rows = await this.q.query<{ version: unknown; flags: Record<string, FlagDefinition>; segments: Record<string, SegmentDefinition> }>(
      `select e.version,
         coalesce((select json_object_agg(f.key, f.definition order by f.key collate "C") from flags f where f.env = e.key and f.archived_at is null), '{}'::json) as flags,
         coalesce((select json_object_agg(s.key, s.definition order by s.key collate "C") from segments s where s.env = e.key), '{}'::json) as segments
       from environments e where e.key = $1`,
      [env],
    );
    const row = rows[0];
    if (!row) return undefined;
    return composeDocument(Number(row.version), row.flags, row.segments);
  }
}
