// The statement of account: every invoice, payment, refund and change of the credit balance of a period,
// oldest first, with what was owed after each; one currency at a time, with a printable sheet.
import type { Context } from 'hono';
import { clientArea, createRouter, type AppEnv } from '../../../core/plugins/api.ts';
import type { PortalSection } from './section.ts';
import { clientIdOf, renderPortal } from './render.ts';
import { methodLabel } from './invoice-detail.ts';
import { AREA_ROLES, areaGuard } from './permissions.ts';

async function statementData(c: Context<AppEnv>) {
  const app = c.get('app');
  const t = c.get('t');
  const clientId = clientIdOf(c);
  const period = clientArea.statementPeriod(c.req.query(), clientArea.todayOf(app));
  const currencies = await clientArea.statementCurrencies(app.db, clientId);
  const asked = c.req.query('currency') ?? '';
  const currency = currencies.includes(asked) ? asked : currencies[0]!;
  const statement = await clientArea.clientStatement(app.db, clientId, { from: period.from, to: period.to, currency });
  const client = (await app.db('core_clients').where({ id: clientId }).first('name', 'company', 'kind')) as { name: string; company: string; kind: string };
  const errors = Object.fromEntries(Object.entries(period.errors).map(([k, v]) => [k, t(v)]));
  const query = new URLSearchParams({ from: statement.from, to: statement.to, currency }).toString();
  return {
    statement,
    errors,
    // What was typed stays in the form, even when it was not a date.
    values: { from: c.req.query('from') ?? statement.from, to: c.req.query('to') ?? statement.to, currency },
    clientName: client.kind === 'company' && client.company ? client.company : client.name,
    printUrl: `/client/statement/print?${query}`,
    methodLabel: methodLabel(t),
    maxEntries: clientArea.MAX_STATEMENT_ENTRIES,
    status: (Object.keys(errors).length ? 400 : 200) as 200 | 400,
  };
}

export const statementSection: PortalSection = {
  mount: '/statement',
  menu: [{ area: 'client', section: 'billing', id: 'statement', label: 'Statement', href: '/statement', order: 30, roles: AREA_ROLES.billing }],
  routes() {
    const r = createRouter();
    r.use('*', areaGuard('billing'));
    r.get('/', async (c) => {
      const data = await statementData(c);
      return renderPortal(c, 'client/statement', data, { title: c.get('t')('Statement of account'), status: data.status });
    });
    r.get('/print', async (c) => {
      const data = { ...(await statementData(c)), header: await clientArea.operatorHeader(c.get('app')) };
      return renderPortal(c, 'client/statement-print', data, { title: c.get('t')('Statement of account'), layout: 'bare', status: data.status });
    });
    return r;
  },
  ru: {
    Statement: 'Выписка',
    'Statement of account': 'Выписка по счёту',
    From: 'С',
    To: 'По',
    Currency: 'Валюта',
    Show: 'Показать',
    'Enter the date as YYYY-MM-DD, e.g. 2026-01-31': 'Введите дату в виде ГГГГ-ММ-ДД, например 2026-01-31',
    'The start of the period must come before its end': 'Начало периода должно быть раньше его конца',
    'Every invoice, payment, refund and change of your credit balance from {from} to {to}, in {currency}.':
      'Все счета, платежи, возвраты и изменения баланса с {from} по {to}, в валюте {currency}.',
    'Invoices in other currencies have statements of their own:': 'По счетам в других валютах — отдельные выписки:',
    'Opening balance on {date}': 'Входящее сальдо на {date}',
    'Closing balance on {date}': 'Исходящее сальдо на {date}',
    'Charges': 'Начислено',
    'Payments and credits': 'Оплачено и зачтено',
    Balance: 'Сальдо',
    'Nothing happened on your account in this period.': 'За этот период операций не было.',
    'Invoice {number} cancelled': 'Счёт {number} отменён',
    'Payment for invoice {number} ({method})': 'Оплата счёта {number} ({method})',
    'Payment ({method})': 'Платёж ({method})',
    'Refund to your credit balance for invoice {number}': 'Возврат на баланс по счёту {number}',
    'Refund to your credit balance': 'Возврат на баланс',
    'Invoice {number} paid from your credit balance ({amount})': 'Счёт {number} оплачен с баланса ({amount})',
    'Credit balance adjustment': 'Корректировка баланса',
    '{amount} in credit': 'переплата {amount}',
    'You owe {amount}.': 'Ваша задолженность: {amount}.',
    'You are {amount} in credit.': 'Ваша переплата: {amount}.',
    'Nothing is owed.': 'Задолженности нет.',
    'A balance in credit is money in your favour: it pays your next invoices.': 'Переплата — это ваши деньги: ими оплачиваются следующие счета.',
    'Only the first {n} entries are shown: choose a shorter period to see the rest.': 'Показаны только первые {n} операций: выберите период короче, чтобы увидеть остальные.',
    'Back to the statement': 'Вернуться к выписке',
    'Statement of account of {name}': 'Выписка по счёту клиента {name}',
  },
};
