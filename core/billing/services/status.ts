// Service statuses (BILLmanager and Plesk Billing vocabulary), their invoicing rules and allowed transitions.

export const SERVICE_STATUSES = [
  'pending', // ordered; waiting for the first invoice to be paid
  'in_progress', // paid; the "open" operation is running
  'active',
  'suspended_staff',
  'suspended_nonpayment',
  'suspended_client',
  'pending_renewal', // a renewal invoice is out (domains: renewed at the registrar once paid)
  'transferred',
  'cancelled',
  'expired',
  'failed', // provisioning failed and needs a person
  'fraud',
] as const;

export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

export const STATUS_LABELS: Record<ServiceStatus, string> = {
  pending: 'Pending',
  in_progress: 'Work in progress',
  active: 'Active',
  suspended_staff: 'Suspended by staff',
  suspended_nonpayment: 'Suspended for non-payment',
  suspended_client: 'Suspended at your request',
  pending_renewal: 'Pending renewal',
  transferred: 'Transferred',
  cancelled: 'Cancelled',
  expired: 'Expired',
  failed: 'Failed',
  fraud: 'Fraudulent',
};

/** What each status means for invoicing, in the words of the Plesk Billing guide (seed 003). */
export const INVOICING_RULES: Record<ServiceStatus, string> = {
  pending: 'Invoiced once: the first invoice only.',
  in_progress: 'Not invoiced while it is being set up.',
  active: 'Invoiced every billing cycle.',
  suspended_staff: 'Invoiced only if the operator invoices suspended services.',
  suspended_nonpayment: 'Invoiced only if the operator invoices suspended services.',
  suspended_client: 'Invoiced only if the operator invoices suspended services.',
  pending_renewal: 'Not invoiced again: the renewal invoice is already out.',
  transferred: 'Not invoiced.',
  cancelled: 'Not invoiced.',
  expired: 'Not invoiced.',
  failed: 'Not invoiced.',
  fraud: 'Not invoiced.',
};

export const SUSPENDED: readonly ServiceStatus[] = ['suspended_staff', 'suspended_nonpayment', 'suspended_client'];

/** Whether a renewal invoice is issued for a service in this status. */
export function isInvoicedEachCycle(status: ServiceStatus, opts: { invoiceSuspended: boolean }): boolean {
  if (status === 'active') return true;
  if (SUSPENDED.includes(status)) return opts.invoiceSuspended;
  return false;
}

const TERMINAL: ServiceStatus[] = ['cancelled', 'transferred', 'fraud'];

const ALLOWED: Record<ServiceStatus, readonly ServiceStatus[]> = {
  pending: ['in_progress', 'cancelled', 'fraud'],
  in_progress: ['active', 'failed', 'cancelled'],
  failed: ['in_progress', 'active', 'cancelled'],
  active: ['suspended_staff', 'suspended_nonpayment', 'suspended_client', 'pending_renewal', 'expired', 'cancelled', 'transferred', 'fraud'],
  suspended_staff: ['active', 'suspended_nonpayment', 'suspended_client', 'pending_renewal', 'expired', 'cancelled', 'fraud'],
  suspended_nonpayment: ['active', 'suspended_staff', 'suspended_client', 'pending_renewal', 'expired', 'cancelled', 'fraud'],
  suspended_client: ['active', 'suspended_staff', 'suspended_nonpayment', 'pending_renewal', 'expired', 'cancelled', 'fraud'],
  pending_renewal: ['active', 'suspended_staff', 'suspended_nonpayment', 'expired', 'cancelled'],
  expired: ['active', 'in_progress', 'cancelled'],
  cancelled: [],
  transferred: [],
  fraud: [],
};

export function canTransition(from: ServiceStatus, to: ServiceStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function isTerminal(status: ServiceStatus): boolean {
  return TERMINAL.includes(status);
}

export function isServiceStatus(s: string): s is ServiceStatus {
  return (SERVICE_STATUSES as readonly string[]).includes(s);
}
