// The processing framework's public face: the module contract, the service, servers and operations.
export * from './types.ts';
export { ProcessingService, OperationStateError, DEFAULT_CALL_TIMEOUT_MS, OPERATION_BACKOFF } from './service.ts';
export type { ProcessingDeps, EnqueueInput, RunSummary, StaffActor } from './service.ts';
export { chooseServer, serverPresets, validatePackageInternalName, getServer, listServers, urlFromName, NON_TERMINAL_STATUSES } from './servers.ts';
export type { ProcessingServer, ModuleLookup } from './servers.ts';
export { operationsForService, getOperationView, OPERATION_FILTERS } from './operations.ts';
export type { OperationRow, OperationView, OperationFilter } from './operations.ts';
export { manualModule } from './modules/manual.ts';
export { setupProcessing, PROCESSING_JOB_ID, SERVICE_DETAIL_SLOT } from './setup.ts';
