// Reaching the upstream of a processing server from pages and jobs (outside the operations queue).
import type { AppServices } from '../../../core/plugins/api.ts';
import { getServer, listServers, type ProcessingServer } from '../../../core/processing/servers.ts';
import { BillmanagerApi } from '../upstream/billmanager.ts';
import { MODULE_NAME } from '../processing/module.ts';

export type Services = Pick<AppServices, 'db' | 'processing' | 'log' | 'clock'>;

/** A server that is not there, or not a BILLmanager server: pages answer 404. */
export class NotBillmanagerServerError extends Error {
  constructor(serverId: number) {
    super(`Processing server #${serverId} is not a BILLmanager server.`);
    this.name = 'NotBillmanagerServerError';
  }
}

export async function billmanagerServers(app: Pick<AppServices, 'db'>): Promise<ProcessingServer[]> {
  return (await listServers(app.db)).filter((s) => s.module === MODULE_NAME);
}

export async function billmanagerServer(app: Pick<AppServices, 'db'>, serverId: number): Promise<ProcessingServer> {
  const server = Number.isSafeInteger(serverId) ? await getServer(app.db, serverId) : undefined;
  if (!server || server.module !== MODULE_NAME) throw new NotBillmanagerServerError(serverId);
  return server;
}

/** The upstream account of a server, credentials decrypted. */
export async function upstreamOf(app: Services, server: ProcessingServer, timeoutMs: number): Promise<BillmanagerApi> {
  const info = await app.processing.serverInfo(server);
  return new BillmanagerApi({ url: info.url, username: info.username, password: info.password, timeoutMs, log: app.log.child({ server: server.id }), label: `BILLmanager “${server.name}”` });
}
