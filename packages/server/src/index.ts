export { createServer } from './server';
export type { HalyardServer, ServerOptions } from './server';
export type { EventsConfig } from './internal/services/events/ingest';
export type { ApiKey, KeyType, Role } from './internal/keys';
export type { Actor, AuditEntry, EnvironmentInfo, StoredResource } from './internal/store/types';
export type { DiffEntry } from './internal/json';
// The admin API's response shapes, for typed clients (the dashboard imports these instead of keeping copies).
export type { ChangeEvent, ChangeResource } from './internal/services/admin-feed';
export type { Explanation } from './internal/services/explain';
export type { FlagEnvironmentState, FlagOverview, FlagStatus, OverviewFlag } from './internal/services/flag-overview';
export type { FlagLifecycle } from './internal/services/flag-lifecycle';
export type { Guardrail, GuardrailResult, PlanStatus, ReleasePlan, ReleasePlanSpec, TimelineEntry } from './internal/services/release-plans/model';
export type { ExperimentResults, ExperimentStatus, ExperimentSummary } from './internal/services/experiments/experiment-service';
export type { MetricResult, SrmResult, VariantResult } from './internal/services/experiments/analysis';
