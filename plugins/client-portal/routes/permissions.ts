// Who may use which part of the portal. A client login's role is the account owner's ('owner': the
// primary contact's login) or the permissions the owner gave that login's contact: 'all', 'billing'
// (invoices, statement, payments, billing accounts) or 'technical' (packages, domains, tickets).
//
// A refusal is a 403 page that says why and whom to ask, not a 404: the login knows the page exists
// (the account is its own), and the check runs before any record is looked up, so the answer is the
// same for every id and tells nothing about other clients' records (those still answer 404).
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../../core/plugins/api.ts';

export type PortalArea = 'billing' | 'technical' | 'owner';

/** The roles allowed in each area; also the `roles` of the area's menu entries, so a login sees only what it may use. */
export const AREA_ROLES: Record<PortalArea, string[]> = {
  billing: ['owner', 'all', 'billing'],
  technical: ['owner', 'all', 'technical'],
  owner: ['owner'],
};

const REFUSALS: Record<PortalArea, string> = {
  billing: 'Your login is for technical matters only. Invoices, payments and billing accounts are for logins with billing permissions: ask the account owner.',
  technical: 'Your login is for billing only. Packages, domains and support tickets are for logins with technical permissions: ask the account owner.',
  owner: 'Only the account owner can manage contacts and their logins.',
};

/** Whether a login with this role may use the area (a role the portal does not know may use none). */
export function mayUse(role: string | null | undefined, area: PortalArea): boolean {
  return typeof role === 'string' && AREA_ROLES[area].includes(role);
}

/**
 * null when the signed-in login may use the area, otherwise the 403 page to return.
 * @example
 * r.get('/invoices', async (c) => {
 *   const refused = requireArea(c, 'billing');
 *   if (refused) return refused;
 *   ...
 * });
 */
export function requireArea(c: Context<AppEnv>, area: PortalArea): Response | null {
  if (mayUse(c.get('user')?.role, area)) return null;
  return c.get('app').pages.error(c, 403, c.get('t')(REFUSALS[area]));
}

/**
 * The same as middleware for a whole section: `r.use('*', areaGuard('technical'))` as the section's first line.
 */
export function areaGuard(area: PortalArea): MiddlewareHandler<AppEnv> {
  return async function areaGuard(c, next) {
    const refused = requireArea(c, area);
    if (refused) return refused;
    await next();
  };
}

/** Russian for the refusals; the billing-accounts section adds them to the plugin's catalog for every section. */
export const PERMISSIONS_RU: Record<string, string> = {
  [REFUSALS.billing]: 'Ваш доступ ограничен техническими вопросами. Счета, платежи и способы оплаты доступны пользователям с правами на оплату — обратитесь к владельцу аккаунта.',
  [REFUSALS.technical]: 'Ваш доступ ограничен вопросами оплаты. Пакеты, домены и обращения в поддержку доступны пользователям с техническими правами — обратитесь к владельцу аккаунта.',
  [REFUSALS.owner]: 'Управлять контактами и их доступом в личный кабинет может только владелец аккаунта.',
};
