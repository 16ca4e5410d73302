// Domain contacts as a domain service keeps them (core's client-area contract: params `contact_<role>`
// with the guide's WHOIS fields) and as domain.order.api / domain.edit take them: `<role>_<field>`
// (PROTOCOLS §2.2 "new data customer_XXX"; the field names after `_` are [I]).

export const CONTACT_ROLES = ['owner', 'admin', 'tech', 'bill'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

export const CONTACT_FIELDS = ['company', 'first_name', 'last_name', 'email', 'address1', 'address2', 'city', 'state', 'zip', 'country', 'phone', 'fax'] as const;
export type DomainContact = Partial<Record<(typeof CONTACT_FIELDS)[number], string>> & { source_contact_id?: number | null };

export const contactParam = (role: ContactRole) => `contact_${role}`;

/** The `contact_<role>` params of a service (or a set_param's changes), by role. */
export function contactsIn(params: Record<string, unknown>): Partial<Record<ContactRole, DomainContact>> {
  const out: Partial<Record<ContactRole, DomainContact>> = {};
  for (const role of CONTACT_ROLES) {
    const v = params[contactParam(role)];
    if (v && typeof v === 'object' && !Array.isArray(v)) out[role] = v as DomainContact;
  }
  return out;
}

/** The upstream fields of contacts: `owner_email`, `admin_phone`, ...; the owner also as the `customer`. */
export function contactFields(contacts: Partial<Record<ContactRole, DomainContact>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const role of CONTACT_ROLES) {
    const c = contacts[role];
    if (!c) continue;
    for (const f of CONTACT_FIELDS) {
      const v = c[f];
      if (typeof v === 'string' && v !== '') {
        out[`${role}_${f}`] = v;
        if (role === 'owner') out[`customer_${f}`] = v;
      }
    }
  }
  return out;
}
