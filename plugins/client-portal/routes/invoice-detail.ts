// One invoice and paying (seed 003 "Managing Invoices", "Paying Invoices"): the invoice page, its
// printable sheet, Pay Now for one invoice or for all outstanding ones of a currency, and the page a
// payment ends on (the gateway sends the client back there too). Every lookup is scoped by the client.
import type { Context } from 'hono';
import { clientArea, createRouter, flash, pluralKey, readFormValues, type AppEnv, type FormValues, type Translate } from '../../../core/plugins/api.ts';
import type { PortalSection } from './section.ts';
import { clientIdOf, renderPortal } from './render.ts';
import { areaGuard } from './permissions.ts';

type ClientInvoice = clientArea.ClientInvoice;
type PayOutcome = clientArea.PayOutcome;

const BASE = '/client/invoices';
/** Where a gateway sends the client back (PaymentService adds ?attempt=<id>). */
const RETURN_URL = `${BASE}/payment`;

export const TX_STATUS_LABELS: Record<string, string> = { approved: 'Approved', declined: 'Declined', error: 'Error', pending: 'Awaiting confirmation', refunded: 'Refund' };

/** Fields a payment page never shows again, even as typed a moment ago. */
const NEVER_ECHOED = ['cardNumber', 'cvv', 'accountCvv', 'passphrase', 'accountPassphrase', 'key', 'intent'];

const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[v.length - 1] ?? '') : (v ?? ''));

/** "20%", "18.5%". */
export function taxRate(bp: number): string {
  return `${(bp / 100).toFixed(2).replace(/\.?0+$/, '')}%`;
}

/** A transaction's payment method in the reader's words; a refund says what it refunds. */
export function methodLabel(t: Translate) {
  return (tx: { method: string }): string => {
    const m = /^Refund of (.+)$/.exec(tx.method);
    return m ? t('Refund of {method}', { method: t(m[1]!) }) : t(tx.method);
  };
}

function translated(t: Translate, errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, t(v)]));
}

function invoiceViewData(c: Context<AppEnv>) {
  const t = c.get('t');
  return { taxRate, methodLabel: methodLabel(t), txStatusLabels: TX_STATUS_LABELS };
}

/** Why a payment was refused, in words a client can act on (PaymentServiceError codes). */
const REFUSALS: Record<string, string> = {
  passphrase_required: 'This card is protected by your encryption pass-phrase: enter it to pay with the card.',
  passphrase_wrong: 'The encryption pass-phrase is not correct.',
  not_payable: 'One of these invoices was paid or cancelled meanwhile. Check the invoices and try again.',
  not_found: 'One of these invoices was paid or cancelled meanwhile. Check the invoices and try again.',
  currency: 'Invoices in different currencies are paid separately.',
  gateway_unavailable: 'This way of paying is not available right now; choose another.',
  unknown_gateway: 'This way of paying is not available right now; choose another.',
  not_chargeable: 'This card cannot be charged (it may have expired); choose another way to pay.',
  insufficient_credit: 'You have no credit balance to pay with.',
};

interface PayPage {
  mode: 'one' | 'several';
  action: string;
  currency: string;
  /** Listed invoices; `checked` ones are paid. */
  invoices: (ClientInvoice & { checked: boolean })[];
  otherCurrencies: { currency: string; count: number; amount: number }[];
  truncated: boolean;
}

/** The "Pay all outstanding" list: open invoices of one currency, all ticked unless a selection is given. */
async function severalPage(c: Context<AppEnv>, clientId: number, input: { currency: string; selected: number[] | null }): Promise<PayPage> {
  const app = c.get('app');
  const open = await clientArea.openClientInvoices(app.db, clientId);
  const byCurrency = new Map<string, ClientInvoice[]>();
  for (const inv of open) byCurrency.set(inv.currency, [...(byCurrency.get(inv.currency) ?? []), inv]);
  const client = (await app.db('core_clients').where({ id: clientId }).first('currency')) as { currency: string };
  const currency = byCurrency.has(input.currency) ? input.currency : byCurrency.has(client.currency) ? client.currency : ([...byCurrency.keys()][0] ?? client.currency);
  const all = byCurrency.get(currency) ?? [];
  const listed = all.slice(0, clientArea.MAX_INVOICES_PER_PAYMENT);
  const selected = input.selected ? new Set(input.selected) : null;
  return {
    mode: 'several',
    action: `${BASE}/pay`,
    currency,
    invoices: listed.map((inv) => ({ ...inv, checked: selected ? selected.has(inv.id) : true })),
    otherCurrencies: [...byCurrency.entries()].filter(([cur]) => cur !== currency).map(([cur, list]) => ({ currency: cur, count: list.length, amount: list.reduce((s, i) => s + i.balanceDue, 0) })),
    truncated: all.length > listed.length,
  };
}

function onePage(inv: ClientInvoice): PayPage {
  return { mode: 'one', action: `${BASE}/${inv.id}/pay`, currency: inv.currency, invoices: [{ ...inv, checked: true }], otherCurrencies: [], truncated: false };
}

async function renderPay(c: Context<AppEnv>, page: PayPage, form: { values: FormValues; errors: Record<string, string>; key: string; cleared?: boolean }, status: 200 | 400 | 409 = 200): Promise<Response> {
  const app = c.get('app');
  const t = c.get('t');
  const clientId = clientIdOf(c);
  const chosen = page.invoices.filter((i) => i.checked);
  const total = chosen.reduce((s, i) => s + i.balanceDue, 0);
  const options = await clientArea.payOptions(app, clientId, page.currency);
  const values: FormValues = {};
  for (const [k, v] of Object.entries(form.values)) if (!NEVER_ECHOED.includes(k)) values[k] = v;
  // The drop-down of stored cards starts at the default card.
  if (!values.accountId && options.accounts[0]) values.accountId = String((options.accounts.find((a) => a.isDefault) ?? options.accounts[0]).id);
  c.header('Cache-Control', 'no-store');
  return renderPortal(
    c,
    'client/pay',
    { ...page, total, selectedCount: chosen.length, options, values, errors: translated(t, form.errors), key: form.key, cleared: Boolean(form.cleared), maxInvoices: clientArea.MAX_INVOICES_PER_PAYMENT },
    { title: page.mode === 'one' ? t('Pay invoice {number}', { number: page.invoices[0]!.number }) : t('Pay outstanding invoices'), status },
  );
}

function actorOf(c: Context<AppEnv>) {
  const u = c.get('user')!;
  return { type: 'client' as const, id: u.id, label: u.email };
}

/** Confirm Payment, for one invoice or several: check the form, pay, and say what happened. */
async function confirmPayment(c: Context<AppEnv>, page: PayPage, values: FormValues): Promise<Response> {
  const app = c.get('app');
  const t = c.get('t');
  const clientId = clientIdOf(c);
  const key = one(values.key);
  const cleared = Boolean(one(values.cardNumber) || one(values.cvv));
  const chosen = page.invoices.filter((i) => i.checked);
  if (!chosen.length) return renderPay(c, page, { values, errors: { invoiceIds: 'Choose at least one invoice to pay' }, key: key || clientArea.payFormKey(app, clientId), cleared }, 400);
  if (!clientArea.isPayFormKey(app, clientId, key)) {
    return renderPay(c, page, { values, errors: { _form: 'This page has expired: check the details and confirm the payment again.' }, key: clientArea.payFormKey(app, clientId), cleared }, 400);
  }
  const options = await clientArea.payOptions(app, clientId, page.currency);
  const parsed = clientArea.parsePayChoice(values, { now: app.clock.now(), options });
  if (!parsed.ok) return renderPay(c, page, { values, errors: parsed.errors, key, cleared }, 400);
  const outcome = await clientArea.payClientInvoices(app, { clientId, invoiceIds: chosen.map((i) => i.id), choice: parsed.choice, key, returnUrl: RETURN_URL, actor: actorOf(c) });
  if (outcome.kind === 'refused') {
    const message = REFUSALS[outcome.code] ? t(REFUSALS[outcome.code]!) : t('The payment could not be made: {reason}', { reason: outcome.message });
    return renderPay(c, page, { values, errors: { [outcome.field]: message }, key: clientArea.payFormKey(app, clientId), cleared }, 409);
  }
  return afterPayment(c, page, chosen, outcome);
}

async function afterPayment(c: Context<AppEnv>, page: PayPage, chosen: ClientInvoice[], outcome: Exclude<PayOutcome, { kind: 'refused' }>): Promise<Response> {
  const t = c.get('t');
  const money = clientArea.moneyText;
  switch (outcome.kind) {
    case 'redirect':
      return c.redirect(outcome.url, 303);
    case 'instructions':
      c.header('Cache-Control', 'no-store');
      return renderPortal(c, 'client/pay-instructions', { instructions: outcome, invoices: chosen }, { title: t(outcome.title) });
    case 'charged':
      if (outcome.replay) flash(c, 'info', t('This payment was already submitted, so nothing more was charged.'));
      else if (outcome.outcome !== 'approved' && outcome.message) flash(c, 'error', t('The payment gateway said: {message}', { message: t(outcome.message) }));
      if (outcome.saved === 'yes') flash(c, 'success', t('Your card was saved as a billing account for future payments.'));
      if (outcome.saved === 'failed') flash(c, 'warning', t('The payment went through, but the card could not be saved. You can add it under Billing accounts.'));
      return c.redirect(`${RETURN_URL}?attempt=${encodeURIComponent(outcome.attemptId)}`, 303);
    case 'credit': {
      if (outcome.applied === 0) flash(c, 'info', t('Nothing was taken from your credit balance: there was no credit left, or nothing left to pay.'));
      else if (outcome.stillDue === 0) flash(c, 'success', t('{amount} of your credit balance paid for this. Thank you!', { amount: money(outcome.applied, outcome.currency) }));
      else flash(c, 'success', t('{amount} of your credit balance was applied; {due} is still due.', { amount: money(outcome.applied, outcome.currency), due: money(outcome.stillDue, outcome.currency) }));
      return c.redirect(page.mode === 'one' ? `${BASE}/${chosen[0]!.id}` : BASE, 303);
    }
  }
}

/** A form sent again after it was charged (a double submit, a reload): the payment it made, not a second one. */
async function alreadyPaid(c: Context<AppEnv>, values: FormValues): Promise<Response | undefined> {
  if (one(values.intent) === 'update') return undefined;
  const attemptId = await clientArea.paymentOfFormKey(c.get('app'), clientIdOf(c), one(values.key));
  if (!attemptId) return undefined;
  flash(c, 'info', c.get('t')('This payment was already submitted, so nothing more was charged.'));
  return c.redirect(`${RETURN_URL}?attempt=${encodeURIComponent(attemptId)}`, 303);
}

async function loadInvoice(c: Context<AppEnv>): Promise<ClientInvoice | undefined> {
  return clientArea.clientInvoice(c.get('app').db, clientIdOf(c), Number(c.req.param('id')));
}

export const invoiceDetailSection: PortalSection = {
  mount: '/invoices',
  menu: [],
  routes() {
    const r = createRouter();
    r.use('*', areaGuard('billing'));
    const notFound = (c: Context<AppEnv>) => c.get('app').pages.error(c, 404);

    /* ---------- pay all outstanding ---------- */

    r.get('/pay', async (c) => {
      const app = c.get('app');
      const clientId = clientIdOf(c);
      const q = c.req.queries();
      const selected = c.req.query('sel') ? (q.invoiceIds ?? []).map(Number) : null;
      const page = await severalPage(c, clientId, { currency: c.req.query('currency') ?? '', selected });
      return renderPay(c, page, { values: {}, errors: {}, key: clientArea.payFormKey(app, clientId) });
    });

    r.post('/pay', async (c) => {
      const clientId = clientIdOf(c);
      const values = await readFormValues(c);
      const replayed = await alreadyPaid(c, values);
      if (replayed) return replayed;
      const ids = values.invoiceIds === undefined ? [] : (Array.isArray(values.invoiceIds) ? values.invoiceIds : [values.invoiceIds]).map(Number);
      const page = await severalPage(c, clientId, { currency: one(values.currency), selected: ids });
      if (one(values.intent) === 'update') return renderPay(c, page, { values, errors: {}, key: one(values.key) || clientArea.payFormKey(c.get('app'), clientId), cleared: Boolean(one(values.cardNumber) || one(values.cvv)) });
      return confirmPayment(c, page, values);
    });

    /* ---------- where a payment ends ---------- */

    r.get('/payment', async (c) => {
      const clientId = clientIdOf(c);
      const attempt = await clientArea.clientPaymentAttempt(c.get('app'), clientId, c.req.query('attempt') ?? '');
      if (!attempt) return notFound(c);
      const unpaid = attempt.invoices.filter((i) => i.payable);
      const failed = ['declined', 'error', 'expired'].includes(attempt.status);
      const payAgainUrl = failed && unpaid.length ? (unpaid.length === 1 ? `${BASE}/${unpaid[0]!.id}/pay` : `${BASE}/pay?currency=${encodeURIComponent(attempt.currency)}`) : null;
      c.header('Cache-Control', 'no-store');
      return renderPortal(c, 'client/payment', { attempt, payAgainUrl }, { title: c.get('t')('Payment') });
    });

    /* ---------- one invoice ---------- */

    r.get('/:id{[0-9]+}', async (c) => {
      const app = c.get('app');
      const detail = await clientArea.clientInvoiceDetail(app.db, clientIdOf(c), Number(c.req.param('id')));
      if (!detail) return notFound(c);
      const overdue = detail.invoice.payable && detail.invoice.dueOn < clientArea.todayOf(app);
      return renderPortal(c, 'client/invoice', { detail, overdue, ...invoiceViewData(c) }, { title: c.get('t')('Invoice {number}', { number: detail.invoice.number }) });
    });

    r.get('/:id{[0-9]+}/print', async (c) => {
      const printable = await clientArea.printableClientInvoice(c.get('app'), clientIdOf(c), Number(c.req.param('id')));
      if (!printable) return notFound(c);
      return renderPortal(c, 'client/invoice-print', { printable, ...invoiceViewData(c) }, { title: c.get('t')('Invoice {number}', { number: printable.invoice.number }), layout: 'bare' });
    });

    r.get('/:id{[0-9]+}/pay', async (c) => {
      const inv = await loadInvoice(c);
      if (!inv) return notFound(c);
      if (!inv.payable) {
        flash(c, 'info', c.get('t')('Invoice {number} has nothing to pay.', { number: inv.number }));
        return c.redirect(`${BASE}/${inv.id}`, 303);
      }
      return renderPay(c, onePage(inv), { values: {}, errors: {}, key: clientArea.payFormKey(c.get('app'), clientIdOf(c)) });
    });

    r.post('/:id{[0-9]+}/pay', async (c) => {
      const inv = await loadInvoice(c);
      if (!inv) return notFound(c);
      const values = await readFormValues(c);
      const replayed = await alreadyPaid(c, values);
      if (replayed) return replayed;
      if (!inv.payable) {
        // A second Confirm after the first paid it, or staff got there first: nothing is charged.
        flash(c, 'info', c.get('t')('Invoice {number} has nothing to pay.', { number: inv.number }));
        return c.redirect(`${BASE}/${inv.id}`, 303);
      }
      return confirmPayment(c, onePage(inv), values);
    });

    return r;
  },
  ru: {
    Invoices: 'Счета',
    'Invoice {number}': 'Счёт {number}',
    'Pay Now': 'Оплатить',
    'Printable view': 'Версия для печати',
    Summary: 'Сводка',
    Overdue: 'Просрочен',
    'Paid on': 'Оплачен',
    'Closed on': 'Закрыт',
    'Balance due': 'К оплате',
    'Total {total} · paid {paid}': 'Итого {total} · оплачено {paid}',
    'refunded {amount}': 'возвращено {amount}',
    'This invoice is paid. Thank you!': 'Счёт оплачен. Спасибо!',
    Items: 'Позиции счёта',
    Description: 'Описание',
    Period: 'Период',
    Quantity: 'Количество',
    Qty: 'Кол-во',
    'Unit price': 'Цена',
    'Add-on': 'Дополнение',
    Setup: 'Подключение',
    Discount: 'Скидка',
    Subtotal: 'Промежуточный итог',
    Tax: 'Налог',
    'Tax ({rate})': 'Налог ({rate})',
    'Tax ({rate}, included in the prices)': 'Налог ({rate}, включён в цены)',
    Total: 'Итого',
    'Amount paid': 'Оплачено',
    'Amount refunded': 'Возвращено',
    Transactions: 'Платежи',
    'Transaction ID': 'Номер платежа',
    'Payment Method': 'Способ оплаты',
    'Status Code': 'Статус',
    Date: 'Дата',
    Approved: 'Одобрен',
    Declined: 'Отклонён',
    Error: 'Ошибка',
    'Awaiting confirmation': 'Ожидает подтверждения',
    Refund: 'Возврат',
    'Refund of {method}': 'Возврат: {method}',
    'Credit Card': 'Банковская карта',
    'Credit card (offline)': 'Банковская карта (вне панели)',
    'Credit balance': 'Баланс',
    'Bank transfer': 'Банковский перевод',
    Cash: 'Наличные',
    Cheque: 'Чек',
    Other: 'Другое',
    'Test gateway': 'Тестовый платёжный шлюз',
    Notes: 'Примечания',
    // the printable invoice
    'Back to the invoice': 'Вернуться к счёту',
    'Print this page with your browser (Ctrl+P or ⌘P).': 'Распечатайте эту страницу из браузера (Ctrl+P или ⌘P).',
    'Tax ID: {id}': 'ИНН: {id}',
    'Bill to': 'Плательщик',
    'Client number #{id}': 'Номер клиента #{id}',
    // paying
    'Pay outstanding invoices': 'Оплата неоплаченных счетов',
    'Please correct the fields marked below.': 'Исправьте отмеченные ниже поля.',
    [pluralKey({ one: 'You also have {n} unpaid invoice in {currency} ({amount}).', other: 'You also have {n} unpaid invoices in {currency} ({amount}).' })]:
      'one=У вас есть ещё {n} неоплаченный счёт в {currency} ({amount}).\nfew=У вас есть ещё {n} неоплаченных счёта в {currency} ({amount}).\nmany=У вас есть ещё {n} неоплаченных счетов в {currency} ({amount}).\nother=У вас есть ещё {n} неоплаченного счёта в {currency} ({amount}).',
    'Invoices in different currencies are paid separately.': 'Счета в разных валютах оплачиваются отдельно.',
    'Pay the invoices in {currency}': 'Оплатить счета в {currency}',
    'What you pay': 'Что вы оплачиваете',
    'Amount to pay': 'Сумма к оплате',
    'Invoices to pay': 'Счета к оплате',
    'due {date}': 'срок {date}',
    'Only the {n} oldest invoices are listed: one payment covers at most {n}.': 'Показаны только {n} самых старых счетов: одним платежом можно оплатить не больше {n}.',
    'Total to pay': 'Всего к оплате',
    [pluralKey({ one: '{n} invoice', other: '{n} invoices' })]: 'one={n} счёт\nfew={n} счёта\nmany={n} счетов\nother={n} счёта',
    'Update total': 'Пересчитать',
    'Payment method': 'Способ оплаты',
    'Choose how to pay': 'Выберите способ оплаты',
    'You have {amount} of credit.': 'На вашем балансе {amount}.',
    'It covers {amount} of the total; the rest stays due and can be paid another way.': 'Баланс покроет {amount} из общей суммы; остаток можно будет оплатить другим способом.',
    'You get the payment details and a reference to quote. The invoice is marked paid when the money arrives.': 'Вы получите реквизиты и номер платежа для назначения. Счёт будет отмечен оплаченным, когда деньги поступят.',
    'You will be taken to the secure page of {gateway} to pay, and brought back here.': 'Вы перейдёте на защищённую страницу: {gateway}, а после оплаты вернётесь сюда.',
    'Choose Billing Account': 'Сохранённый платёжный аккаунт',
    'Billing account': 'Платёжный аккаунт',
    default: 'основной',
    'Encryption pass-phrase': 'Пароль шифрования',
    'Needed for a card protected by your pass-phrase.': 'Нужен для карты, защищённой вашим паролем шифрования.',
    'Security code (CVV)': 'Код безопасности (CVV)',
    'Security code of this card (CVV)': 'Код безопасности этой карты (CVV)',
    'Optional. Used for this payment only and never stored.': 'Необязательно. Используется только для этого платежа и нигде не хранится.',
    'Expired cards are not listed: {cards}.': 'Карты с истёкшим сроком не показаны: {cards}.',
    'New Billing Account Information': 'Новая банковская карта',
    'Pay with a credit card you enter here.': 'Оплата картой, данные которой вы введёте здесь.',
    'Name On Card': 'Имя на карте',
    'As it appears on the card.': 'Так, как написано на карте.',
    'Card type': 'Тип карты',
    'Choose…': 'Выберите…',
    'Card Number': 'Номер карты',
    'For your security the card number is not kept when this page comes back: type it again.': 'Ради вашей безопасности номер карты не сохраняется при повторном показе страницы: введите его снова.',
    'Digits only, no spaces or dashes needed.': 'Только цифры, пробелы и дефисы не нужны.',
    'Expiry Month': 'Месяц окончания',
    'Two digits, e.g. 01 for January.': 'Две цифры, например 01 для января.',
    'Expiry Year': 'Год окончания',
    'Four digits, e.g. 2027.': 'Четыре цифры, например 2027.',
    'Issue Number': 'Номер выпуска',
    'Only if your card has one.': 'Только если он есть на карте.',
    'Start Date': 'Дата начала действия',
    'MM/YYYY, only if your card has one.': 'ММ/ГГГГ, только если она есть на карте.',
    'Not kept either: type it again. It is used for this payment only and never stored.': 'Он тоже не сохраняется: введите его снова. Код используется только для этого платежа и нигде не хранится.',
    'Three or four digits on the back of the card. Used for this payment only and never stored.': 'Три или четыре цифры на обороте карты. Используется только для этого платежа и нигде не хранится.',
    'Save this card for future payments': 'Сохранить карту для следующих платежей',
    'Only when you save the card: it is encrypted with this pass-phrase, and you enter it whenever you pay with the card. At least 8 characters.':
      'Только при сохранении карты: её данные шифруются этим паролем, и вы будете вводить его при каждой оплате этой картой. Не меньше 8 символов.',
    'No way of paying online is available right now. Please contact us to pay this invoice.': 'Сейчас оплатить онлайн нельзя. Свяжитесь с нами, чтобы оплатить счёт.',
    'You pay {amount}.': 'Вы платите {amount}.',
    'Confirm Payment': 'Подтвердить оплату',
    // what the payment form may say
    'Choose at least one invoice to pay': 'Отметьте хотя бы один счёт',
    'This page has expired: check the details and confirm the payment again.': 'Страница устарела: проверьте данные и подтвердите оплату ещё раз.',
    'This way of paying is not available any more; choose another': 'Этот способ оплаты больше недоступен; выберите другой',
    'Choose one of your stored cards': 'Выберите одну из сохранённых карт',
    'You have no credit balance in this currency': 'У вас нет средств на балансе в этой валюте',
    'Enter the security code (CVV) from the back of the card': 'Введите код безопасности (CVV) с оборота карты',
    'The security code has 3 or 4 digits': 'Код безопасности состоит из 3 или 4 цифр',
    'Enter the card number': 'Введите номер карты',
    'This card number is not valid': 'Такого номера карты не бывает, проверьте его',
    'Enter the month as two digits, e.g. 01': 'Введите месяц двумя цифрами, например 01',
    'Enter the year as four digits, e.g. 2027': 'Введите год четырьмя цифрами, например 2027',
    'This year has passed; check the expiry year on the card': 'Этот год уже прошёл; проверьте год окончания на карте',
    'Check the expiry year: cards are not issued for that long': 'Проверьте год окончания: карты на такой срок не выпускают',
    'This card expired at the end of that month; check the expiry date': 'Срок действия карты закончился в конце этого месяца; проверьте дату',
    'Enter the start date as MM/YYYY, e.g. 03/2024': 'Введите дату начала в виде ММ/ГГГГ, например 03/2024',
    'The start date cannot be in the future': 'Дата начала не может быть в будущем',
    'The issue number has one or two digits': 'Номер выпуска состоит из одной или двух цифр',
    'Enter the name as it appears on the card': 'Введите имя так, как оно написано на карте',
    'Choose the type of card': 'Выберите тип карты',
    'Use at least 8 characters for the pass-phrase': 'Пароль шифрования должен быть не короче 8 символов',
    'Enter the encryption pass-phrase': 'Введите пароль шифрования',
    'Use at most 100 characters': 'Не больше 100 символов',
    'Use at most 200 characters': 'Не больше 200 символов',
    'This card is protected by your encryption pass-phrase: enter it to pay with the card.': 'Карта защищена вашим паролем шифрования: введите его, чтобы оплатить этой картой.',
    'The encryption pass-phrase is not correct.': 'Пароль шифрования неверен.',
    'One of these invoices was paid or cancelled meanwhile. Check the invoices and try again.': 'Один из счетов тем временем оплачен или отменён. Проверьте счета и попробуйте снова.',
    'This way of paying is not available right now; choose another.': 'Этот способ оплаты сейчас недоступен; выберите другой.',
    'This card cannot be charged (it may have expired); choose another way to pay.': 'С этой карты нельзя списать оплату (возможно, истёк срок); выберите другой способ.',
    'You have no credit balance to pay with.': 'На балансе нет средств для оплаты.',
    'The payment could not be made: {reason}': 'Не удалось провести платёж: {reason}',
    // after paying
    'This payment was already submitted, so nothing more was charged.': 'Этот платёж уже был отправлен, повторно ничего не списано.',
    'The payment gateway said: {message}': 'Ответ платёжного шлюза: {message}',
    'The card was declined': 'Карта отклонена',
    'The card processor failed': 'Сбой в процессинге карт',
    'Your card was saved as a billing account for future payments.': 'Карта сохранена как платёжный аккаунт для следующих платежей.',
    'The payment went through, but the card could not be saved. You can add it under Billing accounts.': 'Платёж прошёл, но карту сохранить не удалось. Добавить её можно в разделе «Платёжные аккаунты».',
    'Nothing was taken from your credit balance: there was no credit left, or nothing left to pay.': 'С баланса ничего не списано: средств на балансе нет или оплачивать уже нечего.',
    '{amount} of your credit balance paid for this. Thank you!': 'С баланса списано {amount}, всё оплачено. Спасибо!',
    '{amount} of your credit balance was applied; {due} is still due.': 'С баланса списано {amount}; осталось оплатить {due}.',
    'Invoice {number} has nothing to pay.': 'По счёту {number} платить нечего.',
    'Thank you: your payment of {amount} was received.': 'Спасибо: ваш платёж на {amount} получен.',
    'Your payment of {amount} was declined. Nothing was charged; try another card or way to pay.': 'Платёж на {amount} отклонён. Деньги не списаны; попробуйте другую карту или другой способ оплаты.',
    'The payment of {amount} could not be completed because of an error at the payment gateway. Nothing was charged; please try again later.': 'Платёж на {amount} не прошёл из-за ошибки платёжного шлюза. Деньги не списаны; попробуйте позже.',
    'This payment was not completed in time. Start it again from your invoices.': 'Платёж не был завершён вовремя. Начните его заново со страницы счетов.',
    'We are waiting for {gateway} to confirm your payment of {amount}.': 'Ждём подтверждения платежа на {amount} от шлюза «{gateway}».',
    Refresh: 'Обновить',
    Reference: 'Идентификатор платежа',
    'Pay again': 'Оплатить снова',
    'Back to your account': 'Вернуться в личный кабинет',
    'Pay by bank transfer': 'Оплата банковским переводом',
    'To pay {amount} for {invoices}:': 'Чтобы оплатить {amount} по счетам {invoices}:',
    'Quote this reference with your payment:': 'Укажите в назначении платежа этот номер:',
    'The invoice is marked paid when the money arrives. You can print or save this page.': 'Счёт будет отмечен оплаченным, когда деньги поступят. Эту страницу можно распечатать или сохранить.',
  },
};
