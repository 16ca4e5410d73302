// Packages (seed 003, "Managing Packages"): the list with each status's invoicing rule, and per package
// the Manage page — details, Upgrade / Downgrade (Add-ons and Packages, with the prorated price shown
// before anything is confirmed), Panel Options, Panel Login, auto-renew, a cancellation request and, for
// SSL certificates, Manage Certificate. Plugins add sections through the 'client.service.detail' slot.
import type { Context } from 'hono';
import { z } from 'zod';
import { buildTable, clientArea, createRouter, flash, pluralKey, readFormValues, validateForm, type AppEnv, type FormValues, type TableSpec, type Translate } from '../../../core/plugins/api.ts';
import type { PortalSection } from './section.ts';
import { clientIdOf, renderPortal } from './render.ts';
import { STATUS_LABELS, INVOICING_RULES, serviceBadge } from './labels.ts';
import { AREA_ROLES, areaGuard } from './permissions.ts';

type Ctx = Context<AppEnv>;
type Row = clientArea.ClientServiceListRow;
type Status = clientArea.ServiceStatus;

export const PACKAGES_PATH = '/client/packages';
/** The slot plugins fill at the end of the Manage page, with { clientId, serviceId, itemType }. */
export const SERVICE_DETAIL_SLOT = 'client.service.detail';
const CERTIFICATE_TABS = ['csr', 'contacts', 'summary'] as const;
type CertificateTab = (typeof CERTIFICATE_TABS)[number];

/** "1 month", "3 months", "1 year", "14-day trial", "Lifetime", in the reader's language. */
export function cycleText(t: Translate, kind: string, length: number): string {
  switch (kind) {
    case 'trial':
      return t.plural(length, { one: '{n}-day trial', other: '{n}-day trial' });
    case 'days':
      return t.plural(length, { one: '{n} day', other: '{n} days' });
    case 'months':
      return length % 12 === 0 ? t.plural(length / 12, { one: '{n} year', other: '{n} years' }) : t.plural(length, { one: '{n} month', other: '{n} months' });
    default:
      return t('Lifetime');
  }
}

/** The next renewal as the list and the Manage page say it. */
export function renewalText(t: Translate, s: { status: Status; expires_on: string | null; auto_renew: boolean | number; period_kind: string }): string {
  if (s.period_kind === 'lifetime') return t('Never (lifetime)');
  if (['cancelled', 'transferred', 'fraud', 'expired', 'failed'].includes(s.status)) return '—';
  if (!s.expires_on) return t('When it is set up');
  return s.auto_renew === true || s.auto_renew === 1 ? s.expires_on : t('Ends on {date}', { date: s.expires_on });
}

function tr(t: Translate, m: clientArea.ChangeMessage | null | undefined): string {
  return m ? t(m.text, m.vars) : '';
}

function userOf(c: Ctx): clientArea.ClientUser {
  const u = c.get('user')!;
  return { id: u.id, email: u.email };
}

function idOf(c: Ctx): number {
  return Number(c.req.param('id'));
}

const manageUrl = (id: number, anchor = '') => `${PACKAGES_PATH}/${id}${anchor}`;

/** Names of the parameters a module usually stores, for the Manage page. */
const PARAM_LABELS: Record<string, string> = {
  ip: 'IP address',
  ipv4: 'IP address',
  ipv6: 'IPv6 address',
  domain: 'Domain',
  hostname: 'Host name',
  os: 'Operating system',
  username: 'User name',
  login: 'User name',
  nameservers: 'Name servers',
  location: 'Location',
  rack: 'Rack',
};

/* ---------- the list ---------- */

export function packagesTableSpec(t: Translate, opts: { filtered: boolean }): TableSpec<Row> {
  const name = (r: Row) => `${r.package_name}${r.label ? ` (${r.label})` : ''}`;
  return {
    id: 'packages',
    empty: opts.filtered ? t('No packages with this status.') : t('You have no packages yet.'),
    defaultSort: 'id',
    defaultDir: 'desc',
    tieBreaker: 's.id',
    columns: [
      { key: 'id', label: t('Package ID'), sortBy: 's.id', align: 'right', value: (r) => `#${r.id}`, href: (r) => manageUrl(r.id) },
      { key: 'package_name', label: t('Package'), sortBy: 'p.name', value: name, href: (r) => manageUrl(r.id) },
      { key: 'price', label: t('Price'), sortBy: 's.price', align: 'right', partial: '@client-portal/client/package-price-cell' },
      { key: 'cycle', label: t('Billing cycle'), value: (r) => cycleText(t, r.period_kind, Number(r.period_length)) },
      { key: 'expires_on', label: t('Next renewal'), sortBy: 's.expires_on', value: (r) => renewalText(t, r) },
      { key: 'status', label: t('Status'), sortBy: 's.status', partial: '@client-portal/client/package-status-cell' },
      { key: 'manage', label: t('Manage'), value: () => t('Manage'), href: (r) => manageUrl(r.id), ariaLabel: (r) => t('Manage {name}', { name: name(r) }) },
    ],
  };
}

async function listPage(c: Ctx) {
  const app = c.get('app');
  const t = c.get('t');
  const raw = c.req.query('status') ?? '';
  const status = (clientArea.SERVICE_STATUSES as readonly string[]).includes(raw) ? (raw as Status) : undefined;
  const table = await buildTable<Row>(c, packagesTableSpec(t, { filtered: Boolean(status) }), clientArea.clientServicesQuery(app.db, clientIdOf(c), { status }));
  const shown = (await clientArea.clientServiceStatuses(app.db, clientIdOf(c))).sort((a, b) => clientArea.SERVICE_STATUSES.indexOf(a) - clientArea.SERVICE_STATUSES.indexOf(b));
  return renderPortal(
    c,
    'client/packages',
    {
      table,
      status: status ?? '',
      statusOptions: clientArea.SERVICE_STATUSES.map((s) => ({ value: s, label: t(STATUS_LABELS[s]) })),
      sort: c.req.query('sort') ?? '',
      dir: c.req.query('dir') ?? '',
      legend: shown.map((s) => ({ status: s, label: t(STATUS_LABELS[s] ?? s), rule: t(INVOICING_RULES[s] ?? ''), badge: serviceBadge(s) })),
    },
    { title: t('Packages') },
  );
}

/* ---------- the Manage page ---------- */

interface ManageExtras {
  cancelValues?: FormValues;
  cancelErrors?: Record<string, string>;
  status?: 200 | 400;
}

async function managePage(c: Ctx, id: number, extras: ManageExtras = {}) {
  const app = c.get('app');
  const t = c.get('t');
  const clientId = clientIdOf(c);
  const d = await clientArea.loadClientService(app, clientId, id);
  if (!d) return app.pages.error(c, 404);
  const upgrade = (await clientArea.loadUpgradeSection(app, clientId, id))!;
  const s = d.service;
  const extra = await app.slots.render(SERVICE_DETAIL_SLOT, { clientId, serviceId: id, itemType: s.itemType });
  const name = `${s.packageName}${s.label ? ` (${s.label})` : ''}`;
  return renderPortal(
    c,
    'client/package',
    {
      d,
      s,
      name,
      url: manageUrl(id),
      cycle: cycleText(t, s.periodKind, s.periodLength),
      rule: t(INVOICING_RULES[s.status] ?? ''),
      renewal: renewalText(t, { status: s.status, expires_on: s.expiresOn, auto_renew: s.autoRenew, period_kind: s.periodKind }),
      params: d.params.map((p) => ({ label: PARAM_LABELS[p.key.toLowerCase()] ? t(PARAM_LABELS[p.key.toLowerCase()]!) : p.key, value: p.value })),
      upgrade,
      blocker: tr(t, upgrade.blocker),
      packages: upgrade.packages.map((p) => ({ ...p, reasonText: tr(t, p.reason) })),
      addonForm: { addons: upgrade.addons, values: Object.fromEntries(upgrade.addons.map((a) => [a.internalName, a.value])), errors: {} },
      canAutoRenew: clientArea.canToggleAutoRenew(s),
      canCancel: clientArea.CANCELLABLE.includes(s.status) && !s.cancelRequested,
      cancelValues: extras.cancelValues ?? {},
      cancelErrors: extras.cancelErrors ?? {},
      extra,
    },
    { title: name, status: extras.status ?? 200 },
  );
}

/* ---------- Upgrade / Downgrade ---------- */

/** The add-on values a form sent: fields named `addon.<internal name>`. */
function addonValues(values: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    if (!k.startsWith('addon.')) continue;
    const one = Array.isArray(v) ? v.at(-1) : v;
    if (typeof one === 'string') out[k.slice('addon.'.length)] = one.slice(0, 100);
  }
  return out;
}

function requestOf(kind: 'package' | 'addons', values: Record<string, string | string[] | undefined>): clientArea.ChangeRequest {
  if (kind === 'addons') return { kind, values: addonValues(values) };
  const to = String(values.to ?? '');
  return { kind, toPackageId: /^\d{1,9}$/.test(to) ? Number(to) : 0 };
}

async function previewPage(c: Ctx, id: number, req: clientArea.ChangeRequest, opts: { changed?: boolean } = {}) {
  const app = c.get('app');
  const t = c.get('t');
  const clientId = clientIdOf(c);
  const result = await clientArea.previewClientChange(app, clientId, id, req);
  if (!result || (!result.ok && result.notFound)) return app.pages.error(c, 404);
  const d = (await clientArea.loadClientService(app, clientId, id))!;
  const upgrade = (await clientArea.loadUpgradeSection(app, clientId, id))!;
  const s = d.service;
  const name = `${s.packageName}${s.label ? ` (${s.label})` : ''}`;
  const errors = result.ok ? {} : Object.fromEntries(Object.entries(result.errors ?? {}).map(([k, m]) => [k, tr(t, m)]));
  const values = req.kind === 'addons' ? { ...Object.fromEntries(upgrade.addons.map((a) => [a.internalName, a.value])), ...req.values } : {};
  const title = req.kind === 'addons' ? t('Adjust Add-ons') : result.ok ? (result.preview.newPrice >= result.preview.oldPrice ? t('Perform Upgrade') : t('Perform Downgrade')) : t('Upgrade / Downgrade');
  return renderPortal(
    c,
    'client/upgrade',
    {
      s,
      name,
      url: manageUrl(id),
      kind: req.kind,
      toPackageId: req.kind === 'package' ? req.toPackageId : null,
      result,
      preview: result.ok ? result.preview : null,
      message: result.ok ? '' : tr(t, result.message),
      changed: Boolean(opts.changed),
      addonForm: { addons: upgrade.addons, values, errors },
      cycle: cycleText(t, s.periodKind, s.periodLength),
      heading: title,
    },
    // htmx swaps only 2xx answers: the live preview gets its field errors with a 200.
    { title: `${title} · ${name}`, status: opts.changed ? 409 : !result.ok && result.errors && c.req.header('hx-request') !== 'true' ? 400 : 200 },
  );
}

async function confirmRoute(c: Ctx, kind: 'package' | 'addons') {
  const app = c.get('app');
  const t = c.get('t');
  const id = idOf(c);
  const values = await readFormValues(c);
  const req = requestOf(kind, values);
  const num = (v: unknown) => (typeof v === 'string' && /^-?\d{1,15}$/.test(v) ? Number(v) : NaN);
  const outcome = await clientArea.confirmClientChange(app, clientIdOf(c), id, req, { total: num(values.expected_total), newPrice: num(values.expected_price) }, userOf(c));
  if (!outcome) return app.pages.error(c, 404);
  if (!outcome.ok && 'changed' in outcome) return previewPage(c, id, req, { changed: true });
  if (!outcome.ok) {
    const r = outcome.refused;
    flash(c, 'error', !r.ok && r.message ? tr(t, r.message) : t('The change could not be made. Check the values and try again.'));
    return c.redirect(manageUrl(id, '#upgrade'), 303);
  }
  const result = outcome.result;
  const currency = outcome.currency;
  const money = (amount: number) => clientArea.serviceMoneyText(amount, currency);
  if (result.outcome === 'invoice') {
    flash(c, 'success', t('Invoice {number} for {amount} was issued. The change is made as soon as it is paid.', { number: result.invoice.number, amount: money(result.invoice.total) }));
  } else if (result.outcome === 'credit') {
    flash(c, 'success', t('Done: {amount} was added to your credit balance, and the server is being updated.', { amount: money(result.credited) }));
  } else {
    flash(c, 'success', t('Done: there is nothing to pay, and the server is being updated.'));
  }
  return c.redirect(manageUrl(id, '#upgrade'), 303);
}

/* ---------- Manage Certificate ---------- */

async function certificatePage(c: Ctx, id: number) {
  const app = c.get('app');
  const t = c.get('t');
  const clientId = clientIdOf(c);
  const d = await clientArea.loadClientService(app, clientId, id);
  if (!d || !d.isCertificate) return app.pages.error(c, 404);
  const cert = (await clientArea.certificateDetails(app.db, clientId, id))!;
  const raw = c.req.query('tab') ?? 'csr';
  const tab: CertificateTab = (CERTIFICATE_TABS as readonly string[]).includes(raw) ? (raw as CertificateTab) : 'csr';
  const s = d.service;
  const name = `${s.packageName}${s.label ? ` (${s.label})` : ''}`;
  return renderPortal(
    c,
    'client/package-certificate',
    {
      s,
      name,
      url: manageUrl(id),
      tab,
      tabs: [
        { id: 'csr', label: t('CSR Information') },
        { id: 'contacts', label: t('Contact Information') },
        { id: 'summary', label: t('Package Summary') },
      ],
      cert,
      cycle: cycleText(t, cert.summary.periodKind, cert.summary.periodLength),
    },
    { title: `${t('Manage Certificate')} · ${name}` },
  );
}

/* ---------- the section ---------- */

const cancelSchema = z.object({
  reason: z.string().trim().min(1, 'Tell us why you want to cancel').max(500, 'Use at most 500 characters'),
});

/**
 * Jumping to a panel is a link, not a form: a form's redirect to another origin would be stopped by
 * the CSP's form-action. A link can be followed from another site, so a cross-site request (the
 * browser says so in Sec-Fetch-Site) goes back to the Manage page instead of asking the module.
 */
function crossSite(c: Ctx): boolean {
  const site = c.req.header('sec-fetch-site');
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

export const packagesSection: PortalSection = {
  mount: '/packages',
  menu: [{ area: 'client', section: 'services', id: 'packages', label: 'Packages', href: '/packages', order: 10, roles: AREA_ROLES.technical }],
  routes() {
    const r = createRouter();
    r.use('*', areaGuard('technical'));

    r.get('/', (c) => listPage(c));
    r.get('/:id{[0-9]+}', (c) => managePage(c, idOf(c)));

    r.get('/:id{[0-9]+}/upgrade', (c) => previewPage(c, idOf(c), requestOf('package', c.req.query())));
    r.post('/:id{[0-9]+}/upgrade', (c) => confirmRoute(c, 'package'));
    r.get('/:id{[0-9]+}/addons', (c) => previewPage(c, idOf(c), requestOf('addons', c.req.query())));
    r.post('/:id{[0-9]+}/addons', (c) => confirmRoute(c, 'addons'));

    r.post('/:id{[0-9]+}/change/withdraw', async (c) => {
      const t = c.get('t');
      const id = idOf(c);
      const r2 = await clientArea.withdrawClientChange(c.get('app'), clientIdOf(c), id, userOf(c));
      if (!r2.ok && r2.reason === 'not_found') return c.get('app').pages.error(c, 404);
      if (r2.ok) flash(c, 'success', t('The change was withdrawn and invoice {number} cancelled.', { number: r2.invoiceNumber }));
      else flash(c, 'error', r2.reason === 'paid' ? t('The invoice has received a payment: the change can no longer be withdrawn.') : t('No change is waiting for payment.'));
      return c.redirect(manageUrl(id, '#upgrade'), 303);
    });

    r.get('/:id{[0-9]+}/panel-login', async (c) => {
      const app = c.get('app');
      const id = idOf(c);
      if (crossSite(c)) return c.redirect(manageUrl(id, '#panel-login'), 303);
      const result = await clientArea.panelLoginUrl(app, { clientId: clientIdOf(c), serviceId: id, actor: { userId: c.get('user')!.id, email: c.get('user')!.email, ip: clientArea.requestIp(c) } });
      if (!result.ok && result.reason === 'not_found') return app.pages.error(c, 404);
      if (!result.ok) {
        flash(c, 'error', c.get('t')(result.message));
        return c.redirect(manageUrl(id, '#panel-login'), 303);
      }
      c.header('Cache-Control', 'no-store');
      c.header('Referrer-Policy', 'no-referrer');
      return c.redirect(result.url, 303);
    });

    r.post('/:id{[0-9]+}/auto-renew', async (c) => {
      const t = c.get('t');
      const id = idOf(c);
      const on = (await readFormValues(c)).auto_renew === '1';
      const outcome = await clientArea.setClientAutoRenew(c.get('app'), clientIdOf(c), id, on, userOf(c));
      if (outcome === 'not_found') return c.get('app').pages.error(c, 404);
      if (outcome === 'not_allowed') flash(c, 'error', t('Auto-renew cannot be changed for this package now.'));
      else flash(c, 'success', on ? t('Auto-renew is on: an invoice for the next period is issued before this one ends.') : t('Auto-renew is off: no renewal invoice will be issued, and the package ends with its paid period.'));
      return c.redirect(manageUrl(id, '#auto-renew'), 303);
    });

    r.post('/:id{[0-9]+}/cancel', async (c) => {
      const app = c.get('app');
      const t = c.get('t');
      const id = idOf(c);
      if (!(await clientArea.loadClientService(app, clientIdOf(c), id))) return app.pages.error(c, 404);
      const form = await validateForm(c, cancelSchema);
      if (!form.ok) return managePage(c, id, { cancelValues: form.values, cancelErrors: Object.fromEntries(Object.entries(form.errors).map(([k, v]) => [k, t(v)])), status: 400 });
      const outcome = await clientArea.requestCancellation(app, clientIdOf(c), id, { reason: form.data.reason, user: userOf(c) });
      if (outcome === 'not_found') return app.pages.error(c, 404);
      if (outcome === 'already') flash(c, 'info', t('You have already asked to cancel this package.'));
      else if (outcome === 'not_allowed') flash(c, 'error', t('This package cannot be cancelled from here in its current status. Open a support ticket instead.'));
      else flash(c, 'success', t('Your cancellation request was received. The package stays active until the end of its paid period; you can withdraw the request until then.'));
      return c.redirect(manageUrl(id, '#cancel'), 303);
    });

    r.post('/:id{[0-9]+}/cancel/withdraw', async (c) => {
      const t = c.get('t');
      const id = idOf(c);
      const outcome = await clientArea.withdrawCancellation(c.get('app'), clientIdOf(c), id, userOf(c));
      if (outcome === 'not_found') return c.get('app').pages.error(c, 404);
      if (outcome === 'not_allowed') flash(c, 'error', t('There is no cancellation request to withdraw.'));
      else flash(c, 'success', t('Your cancellation request was withdrawn. The package renews as before.'));
      return c.redirect(manageUrl(id, '#cancel'), 303);
    });

    r.get('/:id{[0-9]+}/certificate', (c) => certificatePage(c, idOf(c)));
    return r;
  },
  ru: {
    Packages: 'Пакеты',
    Package: 'Пакет',
    'Package ID': 'Номер пакета',
    Price: 'Цена',
    'Billing cycle': 'Расчётный период',
    'Next renewal': 'Следующее продление',
    Status: 'Статус',
    Manage: 'Управление',
    'Manage {name}': 'Управление: {name}',
    'No packages with this status.': 'Пакетов с таким статусом нет.',
    'You have no packages yet.': 'У вас пока нет пакетов.',
    [pluralKey({ one: '{n}-day trial', other: '{n}-day trial' })]: 'one=пробный период {n} день\nfew=пробный период {n} дня\nmany=пробный период {n} дней\nother=пробный период {n} дня',
    [pluralKey({ one: '{n} day', other: '{n} days' })]: 'one={n} день\nfew={n} дня\nmany={n} дней\nother={n} дня',
    [pluralKey({ one: '{n} month', other: '{n} months' })]: 'one={n} месяц\nfew={n} месяца\nmany={n} месяцев\nother={n} месяца',
    [pluralKey({ one: '{n} year', other: '{n} years' })]: 'one={n} год\nfew={n} года\nmany={n} лет\nother={n} года',
    Lifetime: 'Бессрочно',
    'Never (lifetime)': 'Не требуется (бессрочно)',
    'When it is set up': 'После подключения',
    'Ends on {date}': 'Заканчивается {date}',
    'All packages you have ordered. Open one to see its details, change its add-ons or package, sign in to its control panel or cancel it.':
      'Все заказанные вами пакеты. Откройте пакет, чтобы посмотреть подробности, изменить дополнения или тариф, войти в панель управления или отказаться от услуги.',
    'Filter packages': 'Отбор пакетов',
    'Any status': 'Любой статус',
    Filter: 'Найти',
    'Show all': 'Показать все',
    'What the statuses mean': 'Что означают статусы',
    'Cancellation requested': 'Запрошен отказ',

    // the Manage page
    'Package details': 'Сведения о пакете',
    Type: 'Тип',
    'Reason: {reason}': 'Причина: {reason}',
    'add-ons included': 'с учётом дополнений',
    'Auto-renew': 'Автопродление',
    'Switched on': 'Включено',
    'Switched off': 'Выключено',
    Ordered: 'Заказан',
    'Active since': 'Активен с',
    'Add-ons and parameters': 'Дополнения и параметры',
    'Add-ons': 'Дополнения',
    'Add-on': 'Дополнение',
    Value: 'Значение',
    'Price per period': 'Цена за период',
    'None.': 'Нет.',
    Parameters: 'Параметры',
    'None yet: they appear once the package is set up.': 'Пока нет: они появятся после подключения пакета.',
    'Belongs to': 'Относится к',
    'Services added to this package': 'Услуги, добавленные к этому пакету',
    'IP address': 'IP-адрес',
    'IPv6 address': 'IPv6-адрес',
    Domain: 'Домен',
    'Host name': 'Имя хоста',
    'Operating system': 'Операционная система',
    'User name': 'Логин',
    'Name servers': 'DNS-серверы',
    Location: 'Расположение',
    Rack: 'Стойка',
    'Web hosting': 'Веб-хостинг',
    'Domain names': 'Доменные имена',
    'Virtual servers': 'Виртуальные серверы',
    'Dedicated servers': 'Выделенные серверы',
    Colocation: 'Размещение оборудования',
    'SSL certificates': 'SSL-сертификаты',
    'Software licenses': 'Лицензии на ПО',
    'Other services': 'Другие услуги',
    'Your change to {package} is waiting for payment of invoice {number} ({amount}).': 'Переход на тариф {package} ждёт оплаты счёта {number} ({amount}).',
    'Your add-on change is waiting for payment of invoice {number} ({amount}).': 'Изменение дополнений ждёт оплаты счёта {number} ({amount}).',
    'Pay now': 'Оплатить',

    // Upgrade / Downgrade
    'Upgrade / Downgrade': 'Смена тарифа',
    'A change is waiting for payment of invoice {number}. Pay it to complete the change, or withdraw the change.': 'Изменение ждёт оплаты счёта {number}. Оплатите счёт, чтобы завершить изменение, или отмените изменение.',
    'Withdraw the change': 'Отменить изменение',
    'Change the values and press Adjust Add-ons to see the price before anything changes.': 'Измените значения и нажмите «Изменить дополнения» — вы увидите стоимость до того, как что-либо изменится.',
    'Adjust Add-ons': 'Изменить дополнения',
    'This package has no add-ons to adjust.': 'У этого пакета нет дополнений, которые можно изменить.',
    'Upgrade or downgrade': 'Повышение или понижение',
    'What changes': 'Что меняется',
    Action: 'Действие',
    Upgrade: 'Повышение',
    Downgrade: 'Понижение',
    'Same price': 'Та же цена',
    'Perform Upgrade': 'Повысить тариф',
    'Perform Downgrade': 'Понизить тариф',
    'You see the prorated price of the change before you confirm it.': 'Перед подтверждением вы увидите стоимость изменения, пересчитанную за оставшиеся дни.',
    'Your provider offers no other package to move this one to.': 'Ваш провайдер не предлагает других тарифов для перехода с этого пакета.',
    'not sold with your billing cycle': 'не продаётся для вашего расчётного периода',
    free: 'бесплатно',
    '{price} per period': '{price} за период',
    'at least {min}': 'не меньше {min}',
    '{min} to {max}': 'от {min} до {max}',
    '{included} included; each one more: {price}. Allowed: {range}.': 'Включено: {included}; каждое сверх того — {price}. Допустимо: {range}.',
    'Each one: {price}. Allowed: {range}.': 'Каждое — {price}. Допустимо: {range}.',
    'You are billed for the add-ons only, for the rest of the current period.': 'Счёт выставляется только за дополнения и только за остаток текущего периода.',
    Yes: 'Да',
    No: 'Нет',
    None: 'Нет',
    'Price of the change': 'Стоимость изменения',
    'Correct these values to see the price:': 'Исправьте эти значения, чтобы увидеть стоимость:',
    'Choose new values above to see what the change costs.': 'Выберите новые значения выше, чтобы увидеть стоимость изменения.',
    'The price changed since you looked at it (a day has passed, or the prices changed). Here is the new calculation: check it and confirm again.':
      'Стоимость изменилась с тех пор, как вы её смотрели (прошёл день или изменились цены). Вот новый расчёт: проверьте его и подтвердите ещё раз.',
    '{left} of the {days} days of your current period are left, from {from} to {last}.': 'От текущего периода ({days} дн.) осталось {left} дн.: с {from} по {last}.',
    'You get back the unused part of what you pay now and pay the new price for the same days.': 'Неиспользованная часть текущей цены возвращается вам, а за те же дни начисляется новая цена.',
    'This package is on a free trial, so the change costs nothing. The first paid invoice, when the trial ends, is for the new package.':
      'Пакет на бесплатном пробном периоде, поэтому изменение ничего не стоит. Первый платный счёт по окончании пробного периода будет выставлен уже за новый тариф.',
    'A lifetime package has no period to divide: you get back the whole current price and pay the whole new one.':
      'У бессрочного пакета нет периода, который можно разделить: вам возвращается вся текущая цена и начисляется вся новая.',
    'Now, per period': 'Сейчас, за период',
    'New, per period': 'Будет, за период',
    'Credit for unused days': 'Возврат за неиспользованные дни',
    'Charge for the days left': 'Начисление за оставшиеся дни',
    Difference: 'Разница',
    'Difference before tax': 'Разница без налога',
    'Tax ({rate}%), included': 'Налог ({rate}%), включён',
    'Tax ({rate}%)': 'Налог ({rate}%)',
    'To pay': 'К оплате',
    'To your credit balance': 'На ваш баланс',
    'Each amount is the price × {left} ÷ {days}, rounded to the smallest unit of {currency} (halves up).': 'Каждая сумма — это цена × {left} ÷ {days}, округлённая до наименьшей единицы {currency} (половина — в большую сторону).',
    'Price per period after the change': 'Цена за период после изменения',
    'now {price}': 'сейчас {price}',
    'Add-ons after the change': 'Дополнения после изменения',
    'An invoice for {amount} will be issued. The change is made as soon as it is paid.': 'Будет выставлен счёт на {amount}. Изменение вступит в силу сразу после оплаты.',
    '{amount} goes to your credit balance, and the change is made at once.': '{amount} поступит на ваш баланс, а изменение вступит в силу сразу.',
    'There is nothing to pay, and the change is made at once.': 'Платить ничего не нужно, изменение вступит в силу сразу.',
    'Confirm the add-on change': 'Подтвердить изменение дополнений',
    'Confirm the upgrade': 'Подтвердить повышение тарифа',
    'Confirm the downgrade': 'Подтвердить понижение тарифа',
    Cancel: 'Отмена',
    'From {from} to {to}, with your add-ons carried over where the new package has them.': 'С тарифа {from} на {to}; ваши дополнения переносятся, если они есть в новом тарифе.',
    'Back to the package': 'Вернуться к пакету',
    'Invoice {number} for {amount} was issued. The change is made as soon as it is paid.': 'Выставлен счёт {number} на {amount}. Изменение вступит в силу сразу после оплаты.',
    'Done: {amount} was added to your credit balance, and the server is being updated.': 'Готово: {amount} зачислено на ваш баланс, настройки на сервере обновляются.',
    'Done: there is nothing to pay, and the server is being updated.': 'Готово: платить ничего не нужно, настройки на сервере обновляются.',
    'The change could not be made. Check the values and try again.': 'Не удалось выполнить изменение. Проверьте значения и попробуйте ещё раз.',
    'The change was withdrawn and invoice {number} cancelled.': 'Изменение отменено, счёт {number} аннулирован.',
    'The invoice has received a payment: the change can no longer be withdrawn.': 'По счёту уже поступила оплата: отменить изменение больше нельзя.',
    'No change is waiting for payment.': 'Изменений, ожидающих оплаты, нет.',
    'A change of this service is waiting for payment of invoice {number}.': 'Изменение этой услуги ждёт оплаты счёта {number}.',
    'Another change of this service is waiting for payment.': 'Другое изменение этой услуги ждёт оплаты.',
    'Invoice {number} for the next period is waiting for payment. Pay it first, then change the package.': 'Счёт {number} за следующий период ждёт оплаты. Сначала оплатите его, затем меняйте тариф.',
    'At most {n} are available with your billing cycle': 'Для вашего расчётного периода доступно не больше {n}',
    'Choose a value': 'Выберите значение',
    'Choose one of the listed options': 'Выберите один из вариантов списка',
    'Choose yes or no': 'Выберите «да» или «нет»',
    'Enter a whole number from {min} to {max}, in steps of {step}': 'Введите целое число от {min} до {max} с шагом {step}',
    'Enter a whole number of at least {min}, in steps of {step}': 'Введите целое число не меньше {min} с шагом {step}',
    'It needs add-on choices only staff can make: ask support to switch you.': 'Для перехода нужны настройки дополнений, которые может выбрать только поддержка: обратитесь к ней.',
    'Not available at the moment.': 'Сейчас недоступен.',
    'Not offered with your billing cycle.': 'Не предлагается для вашего расчётного периода.',
    'Not sold with your billing cycle': 'Не продаётся для вашего расчётного периода',
    'Nothing changes: choose other values first.': 'Ничего не меняется: сначала выберите другие значения.',
    'The package can be changed while the service is active.': 'Тариф можно сменить, пока услуга активна.',
    'The paid period has ended: renew the service first, then change it.': 'Оплаченный период закончился: сначала продлите услугу, потом меняйте тариф.',
    'The service has not started yet: its package can be changed once it is active.': 'Услуга ещё не подключена: тариф можно будет сменить, когда она станет активной.',
    'This change returns money, and your credit balance is kept in {currency}: ask support to make it.': 'При этом изменении вам возвращаются деньги, а ваш баланс ведётся в {currency}: обратитесь в поддержку.',
    'You asked to cancel this service. Withdraw the request to change its package.': 'Вы запросили отказ от этой услуги. Чтобы сменить тариф, отзовите запрос.',

    // Panel Options, Panel Login
    'Panel Options': 'Параметры панели',
    Server: 'Сервер',
    'Control panel': 'Панель управления',
    'This package is not linked to a hosting panel.': 'Этот пакет не связан с панелью управления хостингом.',
    'Panel Login': 'Вход в панель',
    'This package has no control panel you can sign in to from here.': 'У этого пакета нет панели управления, в которую можно войти отсюда.',
    'You can sign in to the control panel while the package is active.': 'Войти в панель управления можно, пока пакет активен.',
    'Opens {panel} signed in as you. The sign-in link is made when you click and works once.': 'Откроет {panel} уже с выполненным входом. Ссылка для входа создаётся в момент нажатия и действует один раз.',
    'Log in to the control panel': 'Войти в панель управления',

    // auto-renew and cancellation
    'A lifetime package never needs renewing.': 'Бессрочный пакет не нужно продлевать.',
    'On: an invoice for the next period is issued before this one ends.': 'Включено: счёт за следующий период выставляется до окончания текущего.',
    'Off: no renewal invoice is issued, and the package ends with its paid period.': 'Выключено: счёт на продление не выставляется, и пакет закончится вместе с оплаченным периодом.',
    'Turn auto-renew off': 'Выключить автопродление',
    'Turn auto-renew on': 'Включить автопродление',
    'Auto-renew stays off while you have asked to cancel.': 'Пока действует запрос на отказ, автопродление выключено.',
    'Auto-renew cannot be changed for this package now.': 'Сейчас автопродление этого пакета изменить нельзя.',
    'Auto-renew is on: an invoice for the next period is issued before this one ends.': 'Автопродление включено: счёт за следующий период будет выставлен до окончания текущего.',
    'Auto-renew is off: no renewal invoice will be issued, and the package ends with its paid period.': 'Автопродление выключено: счёт на продление выставлен не будет, и пакет закончится вместе с оплаченным периодом.',
    'Cancel package': 'Отказ от услуги',
    'Request pending': 'Запрос на рассмотрении',
    'You asked to cancel on {date}.': 'Вы запросили отказ {date}.',
    'Withdraw the request': 'Отозвать запрос',
    'Our staff will close the package after your request.': 'После вашего запроса наши специалисты закроют пакет.',
    'Our staff will close the package and let you know.': 'Наши специалисты закроют пакет и сообщат вам.',
    'The package stays active until the end of its paid period, {date}, and is not renewed.': 'Пакет будет работать до конца оплаченного периода ({date}) и не будет продлён.',
    'The package ends when its paid period does, on {date}; it is not renewed.': 'Пакет закончится вместе с оплаченным периодом, {date}, и не будет продлён.',
    'Why do you want to cancel?': 'Почему вы хотите отказаться?',
    'Request cancellation': 'Отказаться от услуги',
    'This package cannot be cancelled from here in its current status.': 'В текущем статусе от этого пакета нельзя отказаться здесь.',
    'Tell us why you want to cancel': 'Расскажите, почему вы хотите отказаться',
    'Use at most 500 characters': 'Не больше 500 символов',
    'You have already asked to cancel this package.': 'Вы уже запросили отказ от этого пакета.',
    'This package cannot be cancelled from here in its current status. Open a support ticket instead.': 'В текущем статусе от этого пакета нельзя отказаться здесь. Создайте обращение в поддержку.',
    'Your cancellation request was received. The package stays active until the end of its paid period; you can withdraw the request until then.':
      'Запрос на отказ принят. Пакет будет работать до конца оплаченного периода; до этого момента запрос можно отозвать.',
    'There is no cancellation request to withdraw.': 'Запроса на отказ, который можно отозвать, нет.',
    'Your cancellation request was withdrawn. The package renews as before.': 'Запрос на отказ отозван. Пакет будет продлеваться, как раньше.',

    // Manage Certificate
    'Manage Certificate': 'Управление сертификатом',
    'See the certificate signing request, the contacts and the summary of this certificate.': 'Запрос на подпись сертификата (CSR), контакты и сводка по сертификату.',
    'Certificate details': 'Сведения о сертификате',
    'CSR Information': 'Данные CSR',
    'Contact Information': 'Контактная информация',
    'Package Summary': 'Сводка по пакету',
    'No certificate signing request has been supplied for this certificate yet.': 'Запрос на подпись (CSR) для этого сертификата ещё не передан.',
    'Common name': 'Общее имя (CN)',
    Organization: 'Организация',
    'Organizational unit': 'Подразделение',
    City: 'Город',
    'State or province': 'Штат, область или регион',
    Country: 'Страна',
    'E-mail address': 'Адрес электронной почты',
    'Serial number': 'Серийный номер',
    'Other names': 'Другие имена',
    Key: 'Ключ',
    '{bits} bits': '{bits} бит',
    Signature: 'Подпись',
    'The request below could not be read; your provider may need a new one.': 'Не удалось прочитать запрос ниже; возможно, провайдеру понадобится новый.',
    'Show the request as text': 'Показать запрос текстом',
    'Other details': 'Другие сведения',
    'No contacts were given with this certificate, so these are the contacts of your account.': 'Для сертификата не указаны контакты, поэтому показаны контакты вашей учётной записи.',
    'No contacts.': 'Контактов нет.',
    'Supplied contact': 'Контакт заявителя',
    'Technical contact': 'Технический контакт',
    'Billing contact': 'Контакт для оплаты',
    Name: 'Имя',
    Phone: 'Телефон',
    Address: 'Адрес',
    Created: 'Создан',
    Expires: 'Истекает',
  },
};
