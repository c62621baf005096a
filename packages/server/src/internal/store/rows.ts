/** Timestamps come back as `Date` from `pg` and as strings from some PGlite paths; the API speaks ISO-8601. */
export const iso = (value: Date | string): string => new Date(value).toISOString();

/** Row shapes are declared per table; this widens them to what `Queryable.query` accepts. */
export type RowOf<T> = T & Record<string, unknown>;
