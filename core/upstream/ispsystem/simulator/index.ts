// The ISPsystem simulator base: what a plugin's simulator imports.
export { IspSimulator, type IspSimulatorOptions, type RunningSimulator, type SimFuncOptions, type SimHandler, type SimLogEntry, type SimRequest } from './server.ts';
export { LEVEL_ADMIN, LEVEL_USER, SimAccounts, type SimUser } from './accounts.ts';
export { SimFaults, type SimFault, type SimFaultKind } from './faults.ts';
export { el, fieldNodes, formReply, idReply, isXmlName, listReply, nestedDocReply, okReply, type SimNode, type SimValue } from './node.ts';
export { jsonValueOf, toJson, toXml, type OutFormat } from './serialize.ts';
export { errorNode, SimError, type SimErrorOptions } from './sim-error.ts';
