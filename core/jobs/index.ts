// The jobs subsystem's public surface for core code (plugins see only the types, through core/plugins/api.ts).
export { JobSystem, JobTimeoutError, backoffMs, DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT_MS } from './scheduler.ts';
export type { JobSystemOptions, TickResult } from './scheduler.ts';
export { explainableJobQueries } from './store.ts';
export type * from './types.ts';
