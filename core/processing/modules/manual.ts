// The built-in "manual" module: every operation waits for a person, so every flow works without plugins.
import type { ProcessingModule } from '../types.ts';

/**
 * Staff carry out each operation outside Trellis, then press "Complete manually" (seed 002's
 * "Manual setup", used for colocation). Setting up asks for the id the service has where it is
 * provided, if any; it becomes the service's external id.
 */
export const manualModule: ProcessingModule = {
  name: 'manual',
  title: 'Manual processing',
  features: ['check_connection', 'open', 'suspend', 'resume', 'close', 'prolong', 'set_param'],
  manualOps: ['open', 'suspend', 'resume', 'close', 'prolong', 'set_param'],
  manualFields: {
    open: [
      {
        name: 'externalId',
        label: 'External id',
        hint: 'The id of the service where it is provided (a server id in DSmanager, an order number), if there is one.',
        target: 'externalId',
      },
    ],
  },
  async checkConnection() {
    return { ok: true, message: 'Nothing to connect to: staff carry out every operation by hand.' };
  },
};
