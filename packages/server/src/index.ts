export { createServer } from './server';
export type { HalyardServer, ServerOptions } from './server';
export type { EventsConfig } from './internal/services/events/ingest';
export type { ApiKey, KeyType, Role } from './internal/keys';
export type { Actor, AuditEntry, EnvironmentInfo, StoredResource } from './internal/store/types';
export type { DiffEntry } from './internal/json';
