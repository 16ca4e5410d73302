// Billing accounts (/client/billing-accounts, seed 003 "Adding Billing Accounts"): the list, a new account
// with its type chosen first, then the guide's fields for that type and the packages it pays for (two
// lists that work without JavaScript), edit (numbers never shown again) and remove with a confirmation.
import type { Context } from 'hono';
import { clientArea, createRouter, flash, readFormValues, type AppEnv, type FormValues, type Translate } from '../../../core/plugins/api.ts';
import type { PortalSection } from './section.ts';
import { clientIdOf, renderPortal } from './render.ts';
import { AREA_ROLES, PERMISSIONS_RU, areaGuard } from './permissions.ts';

const BASE = '/client/billing-accounts';

type AccountType = clientArea.AccountType;
type AccountRow = clientArea.BillingAccountRow;

/** The three groups of step 1, as the guide describes them. */
const TYPE_GROUPS: { types: AccountType[]; title: string; text: string }[] = [
  { types: ['card'], title: 'Credit card', text: 'Your invoices are charged to the card when they become due, so a forgotten bill never takes your site down.' },
  { types: ['echeck', 'bank_draft', 'wire'], title: 'Bank account', text: 'eCheck, bank draft or wire transfer from your bank account.' },
  { types: ['manual', 'third_party'], title: 'Manual payment or third-party gateway', text: 'Nothing to enter here: you pay through a third party such as PayPal or by bank transfer, and we mark your invoices paid when the money arrives.' },
];

function translated(t: Translate, errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, t(v)]));
}

function serviceName(s: { packageName: string; label: string }): string {
  return s.label ? `${s.packageName} (${s.label})` : s.packageName;
}

function accountId(c: Context<AppEnv>): number {
  return Number(c.req.param('id'));
}

interface FormInput {
  type: AccountType;
  account?: AccountRow;
  values: FormValues;
  errors?: Record<string, string>;
  typedLast4?: string | null;
  status?: 200 | 400;
}

async function formPage(c: Context<AppEnv>, input: FormInput): Promise<Response> {
  const app = c.get('app');
  const t = c.get('t');
  const clientId = clientIdOf(c);
  const [model, accounts] = await Promise.all([clientArea.billingAccountForm(app, clientId, input.type, input.account), clientArea.clientBillingAccounts(app, clientId)]);
  const titles = new Map(accounts.map((a) => [a.id, clientArea.billingAccountTitle(a, t)]));
  const lists = clientArea.billableLists(model.services, input.values);
  // Options cannot wrap: the status is named only when it is not "Active", and the whole text is also the title.
  const option = (s: clientArea.AccountFormService) => {
    const vars = { service: serviceName(s), status: t(clientArea.STATUS_LABELS[s.status] ?? s.status), account: s.paidById !== null ? (titles.get(s.paidById) ?? '') : '' };
    const active = s.status === 'active';
    const label = vars.account
      ? t(active ? '{service}, now paid by {account}' : '{service} — {status}, now paid by {account}', vars)
      : active ? vars.service : t('{service} — {status}', vars);
    return { value: String(s.id), label };
  };
  const shownAs = input.account ? clientArea.billingAccountRowTitle(input.account, t) : '';
  const typeLabel = t(clientArea.ACCOUNT_TYPE_LABELS[input.type]);
  const action = input.account ? `${BASE}/${input.account.id}/edit` : `${BASE}/new/${input.type}`;
  return renderPortal(
    c,
    'client/billing-account-form',
    {
      model,
      shownAs,
      typeLabel,
      action,
      values: input.values,
      errors: translated(t, input.errors ?? {}),
      typedLast4: input.typedLast4 ?? null,
      billable: lists.billable.map(option),
      notBillable: lists.notBillable.map(option),
      billableIds: lists.billable.map((s) => String(s.id)),
      moveField: clientArea.MOVE_FIELD,
      addField: clientArea.ADD_FIELD,
      removeField: clientArea.REMOVE_FIELD,
      cardTypes: [{ value: '', label: t('Choose…') }, ...clientArea.CARD_TYPES.map((v) => ({ value: v, label: clientArea.CARD_TYPE_LABELS[v] }))],
      accountKinds: [{ value: '', label: t('Choose…') }, ...clientArea.BANK_ACCOUNT_KINDS.map((v) => ({ value: v, label: t(clientArea.BANK_ACCOUNT_KIND_LABELS[v]) }))],
      contacts: [{ value: '', label: t('— not tied to a contact —') }, ...model.contacts.map((ct) => ({ value: String(ct.id), label: ct.isPrimary ? t('{name} (primary contact)', { name: ct.name }) : ct.name }))],
    },
    { title: input.account ? t('Edit {account}', { account: shownAs }) : t('New Billing Account: {type}', { type: typeLabel }), status: input.status ?? 200 },
  );
}

/** A post that only moved packages between the two lists: the form again, nothing saved. */
function afterMove(c: Context<AppEnv>, input: Omit<FormInput, 'values'>, values: FormValues): Promise<Response> | null {
  const moved = clientArea.movedServices(values);
  if (!moved) return null;
  const kept = clientArea.keptValues(moved);
  return formPage(c, { ...input, values: kept.values, typedLast4: kept.typedLast4 });
}

export const billingAccountsSection: PortalSection = {
  mount: '/billing-accounts',
  menu: [{ area: 'client', section: 'billing', id: 'billing-accounts', label: 'Billing Accounts', href: '/billing-accounts', order: 40, roles: AREA_ROLES.billing }],
  routes() {
    const r = createRouter();
    r.use('*', areaGuard('billing'));

    r.get('/', async (c) => {
      const app = c.get('app');
      const t = c.get('t');
      const clientId = clientIdOf(c);
      const contactParam = c.req.query('contact');
      const contacts = await clientArea.clientContactList(app.db, clientId);
      let contact: (typeof contacts)[number] | undefined;
      if (contactParam !== undefined) {
        contact = contacts.find((ct) => String(ct.id) === contactParam);
        if (!contact) return app.pages.error(c, 404);
      }
      const accounts = await clientArea.clientBillingAccounts(app, clientId, contact ? { contactId: contact.id } : {});
      const contactName = new Map(contacts.map((ct) => [ct.id, ct.name]));
      return renderPortal(
        c,
        'client/billing-accounts',
        {
          contact: contact ?? null,
          accounts: accounts.map((a) => ({
            ...a,
            title: clientArea.billingAccountTitle(a, t),
            typeLabel: t(clientArea.ACCOUNT_TYPE_LABELS[a.type]),
            contactName: a.contactId === null ? null : (contactName.get(a.contactId) ?? null),
            paysFor: a.paysFor.map(serviceName),
          })),
        },
        { title: contact ? t('Billing accounts of {name}', { name: contact.name }) : t('Billing Accounts') },
      );
    });

    r.get('/new', async (c) => {
      const t = c.get('t');
      const contact = /^[1-9]\d{0,9}$/.test(c.req.query('contact') ?? '') ? `?contact=${c.req.query('contact')}` : '';
      const groups = TYPE_GROUPS.map((g) => ({
        title: t(g.title),
        text: t(g.text),
        types: g.types.map((type) => ({ label: t(clientArea.ACCOUNT_TYPE_LABELS[type]), href: `${BASE}/new/${type}${contact}` })),
      }));
      return renderPortal(c, 'client/billing-account-type', { groups }, { title: t('New Billing Account') });
    });

    r.get('/new/:type', async (c) => {
      const app = c.get('app');
      const type = c.req.param('type');
      if (!clientArea.isAccountType(type)) return app.pages.error(c, 404);
      const clientId = clientIdOf(c);
      const asked = Number(c.req.query('contact'));
      const contactId = Number.isSafeInteger(asked) && (await clientArea.clientContact(app.db, clientId, asked)) ? asked : undefined;
      return formPage(c, { type, values: await clientArea.newBillingAccountValues(app, clientId, { contactId }) });
    });

    r.post('/new/:type', async (c) => {
      const app = c.get('app');
      const t = c.get('t');
      const type = c.req.param('type');
      if (!clientArea.isAccountType(type)) return app.pages.error(c, 404);
      const values = await readFormValues(c);
      const moved = afterMove(c, { type }, values);
      if (moved) return moved;
      const result = await clientArea.addClientBillingAccount(app, { clientId: clientIdOf(c), type, values, actor: clientArea.portalActor(c) });
      if (!result.ok) {
        const kept = clientArea.keptValues(values);
        return formPage(c, { type, values: kept.values, errors: result.errors, typedLast4: kept.typedLast4, status: 400 });
      }
      flash(c, 'success', t('The billing account was added.'));
      return c.redirect(BASE, 303);
    });

    const loadAccount = (c: Context<AppEnv>) => clientArea.clientBillingAccount(c.get('app'), clientIdOf(c), accountId(c));

    r.get('/:id{[0-9]+}/edit', async (c) => {
      const app = c.get('app');
      const account = await loadAccount(c);
      if (!account) return app.pages.error(c, 404);
      return formPage(c, { type: account.type, account, values: await clientArea.editBillingAccountValues(app, account) });
    });

    r.post('/:id{[0-9]+}/edit', async (c) => {
      const app = c.get('app');
      const t = c.get('t');
      const account = await loadAccount(c);
      if (!account) return app.pages.error(c, 404);
      const values = await readFormValues(c);
      const moved = afterMove(c, { type: account.type, account }, values);
      if (moved) return moved;
      const result = await clientArea.saveClientBillingAccount(app, { clientId: account.client_id, accountId: account.id, values, actor: clientArea.portalActor(c) });
      if (!result.ok) {
        const kept = clientArea.keptValues(values);
        return formPage(c, { type: account.type, account, values: kept.values, errors: result.errors, typedLast4: kept.typedLast4, status: 400 });
      }
      flash(c, 'success', t('The billing account was saved.'));
      return c.redirect(BASE, 303);
    });

    r.get('/:id{[0-9]+}/remove', async (c) => {
      const app = c.get('app');
      const t = c.get('t');
      const account = await loadAccount(c);
      if (!account) return app.pages.error(c, 404);
      const summary = (await clientArea.clientBillingAccounts(app, account.client_id)).find((a) => a.id === account.id)!;
      const title = clientArea.billingAccountTitle(summary, t);
      return renderPortal(c, 'client/billing-account-remove', { account: summary, title, paysFor: summary.paysFor.map(serviceName) }, { title: t('Remove {account}', { account: title }) });
    });

    r.post('/:id{[0-9]+}/remove', async (c) => {
      const app = c.get('app');
      const t = c.get('t');
      const account = await loadAccount(c);
      if (!account || !(await clientArea.removeClientBillingAccount(app, { clientId: account.client_id, accountId: account.id, actor: clientArea.portalActor(c) }))) return app.pages.error(c, 404);
      flash(c, 'success', t('{account} was removed.', { account: clientArea.billingAccountRowTitle(account, t) }));
      return c.redirect(BASE, 303);
    });

    r.post('/:id{[0-9]+}/default', async (c) => {
      const app = c.get('app');
      const t = c.get('t');
      const account = await loadAccount(c);
      if (!account || !(await clientArea.makeClientBillingAccountDefault(app, { clientId: account.client_id, accountId: account.id, actor: clientArea.portalActor(c) }))) return app.pages.error(c, 404);
      flash(c, 'success', t('{account} now pays your invoices by default.', { account: clientArea.billingAccountRowTitle(account, t) }));
      return c.redirect(BASE, 303);
    });

    return r;
  },
  ru: {
    ...PERMISSIONS_RU,
    'Billing Accounts': 'Способы оплаты',
    'New Billing Account': 'Новый способ оплаты',
    'New Billing Account: {type}': 'Новый способ оплаты: {type}',
    'Billing accounts of {name}': 'Способы оплаты: {name}',
    'All billing accounts': 'Все способы оплаты',
    'You have no billing accounts yet.': 'У вас пока нет сохранённых способов оплаты.',
    'Add a credit card or a bank account to have your invoices paid automatically when they are due, or a manual account if you pay by bank transfer or through a third party.':
      'Добавьте банковскую карту или банковский счёт, чтобы счета оплачивались автоматически в срок, или выберите оплату вручную, если платите переводом или через внешнюю платёжную систему.',
    Type: 'Тип',
    'Payment details': 'Реквизиты',
    Expires: 'Истекает',
    'Billable For': 'Оплачивает',
    'Not Billable For': 'Не оплачивает',
    Default: 'По умолчанию',
    Actions: 'Действия',
    'Contact: {name}': 'Контакт: {name}',
    'pass-phrase': 'пароль шифрования',
    expired: 'истекла',
    'No packages': 'Нет пакетов',
    'Make {account} the default': 'Сделать {account} способом оплаты по умолчанию',
    'Make default': 'Сделать основным',
    Edit: 'Изменить',
    'Edit {account}': 'Изменить: {account}',
    Remove: 'Удалить',
    'Remove…': 'Удалить…',
    'Remove {account}': 'Удалить: {account}',
    'Remove {account}?': 'Удалить {account}?',
    'Card and bank details are stored encrypted and shown with their last four digits only.': 'Данные карт и банковских счетов хранятся в зашифрованном виде, видны только последние четыре цифры.',
    'Step 1 of 2: choose the type of billing account': 'Шаг 1 из 2: выберите способ оплаты',
    'Step 2 of 2: fill in the details.': 'Шаг 2 из 2: заполните реквизиты.',
    'Choose another type': 'Выбрать другой способ',
    'Credit card': 'Банковская карта',
    'Bank account': 'Банковский счёт',
    'Manual payment or third-party gateway': 'Оплата вручную или через внешнюю платёжную систему',
    'Your invoices are charged to the card when they become due, so a forgotten bill never takes your site down.':
      'Счета списываются с карты в день оплаты, и забытый счёт никогда не остановит ваш сайт.',
    'eCheck, bank draft or wire transfer from your bank account.': 'Электронный чек, банковский чек или перевод с вашего банковского счёта.',
    'Nothing to enter here: you pay through a third party such as PayPal or by bank transfer, and we mark your invoices paid when the money arrives.':
      'Здесь ничего вводить не нужно: вы платите через внешнюю систему, например PayPal, или банковским переводом, а мы отмечаем счета оплаченными, когда деньги поступят.',
    eCheck: 'Электронный чек (eCheck)',
    'Bank draft': 'Банковский чек',
    'Wire transfer': 'Банковский перевод',
    'Manual payment': 'Оплата вручную',
    'Third-party gateway': 'Внешняя платёжная система',
    Checking: 'Расчётный',
    Savings: 'Сберегательный',
    'Business checking': 'Расчётный для бизнеса',
    Card: 'Карта',
    bank: 'банк',
    'Choose…': 'Выберите…',
    '— not tied to a contact —': '— без привязки к контакту —',
    '{name} (primary contact)': '{name} (основной контакт)',
    '{service} — {status}': '{service} — {status}',
    '{service} — {status}, now paid by {account}': '{service} — {status}, сейчас оплачивает {account}',
    '{service}, now paid by {account}': '{service}, сейчас оплачивает {account}',
    'The billing account was added.': 'Способ оплаты добавлен.',
    'The billing account was saved.': 'Способ оплаты сохранён.',
    '{account} was removed.': '{account}: способ оплаты удалён.',
    '{account} now pays your invoices by default.': 'Теперь по умолчанию счета оплачиваются так: {account}.',
    'Leave empty to keep the stored value.': 'Оставьте пустым, чтобы сохранить прежнее значение.',
    'Digits only, as on the card; spaces and dashes are ignored. For your safety the number is never shown again once sent.':
      'Цифры, как на карте; пробелы и дефисы не учитываются. В целях безопасности номер больше не показывается после отправки.',
    'You typed a number ending in {last4}. For your safety it is not shown again: enter it once more.':
      'Вы ввели номер, оканчивающийся на {last4}. В целях безопасности он не показывается повторно — введите его ещё раз.',
    'Stored: {account}. Leave empty to keep it; the number is never shown again.': 'Сохранено: {account}. Оставьте пустым, чтобы не менять; номер больше не показывается.',
    'Save Billing Account': 'Сохранить способ оплаты',
    'Please correct the fields marked below.': 'Исправьте отмеченные ниже поля.',
    'The details of this account are protected by your encryption pass-phrase. To change them, enter the pass-phrase together with the new details.':
      'Эти реквизиты защищены вашей парольной фразой. Чтобы изменить их, введите парольную фразу вместе с новыми данными.',
    General: 'Основное',
    Description: 'Описание',
    'Optional, e.g. “Company card”.': 'Необязательно, например «Карта компании».',
    Contact: 'Контакт',
    'Whose account this is.': 'Чей это способ оплаты.',
    'Use this account by default to pay my invoices': 'Оплачивать мои счета этим способом по умолчанию',
    'Packages this account pays for': 'Какие пакеты оплачивать',
    'You have no packages yet. You can come back and choose them after your first order.': 'У вас пока нет пакетов. Выбрать их можно будет после первого заказа.',
    'Select packages in one list, then press “Add →” or “← Remove”; what you have entered is kept. A package is paid by one account only: adding one that another account pays for moves it here.':
      'Выделите пакеты в одном из списков и нажмите «Добавить →» или «← Убрать»; введённые данные сохранятся. Каждый пакет оплачивается одним способом: если добавить пакет, который уже оплачивается иначе, он перейдёт сюда.',
    'Add →': 'Добавить →',
    '← Remove': '← Убрать',
    'Name on Card': 'Имя на карте',
    'As it appears on the card.': 'Так, как написано на карте.',
    'Card Number': 'Номер карты',
    'Expiry Month': 'Месяц окончания',
    'Two digits: January is 01, not 1.': 'Двумя цифрами: январь — 01, а не 1.',
    'Expiry Year': 'Год окончания',
    'Four digits, e.g. 2027.': 'Четыре цифры, например 2027.',
    'Issue Number': 'Номер выпуска',
    'Only if printed on the front of the card.': 'Только если он напечатан на лицевой стороне карты.',
    'Start Date': 'Дата начала действия',
    'MM/YYYY, only if printed on the card.': 'ММ/ГГГГ, только если указана на карте.',
    '{type} account': '{type}: реквизиты',
    'Bank Name': 'Название банка',
    'Bank State/Province': 'Штат или область банка',
    'Where your bank’s home branch is.': 'Где находится головное отделение банка.',
    'Account Type': 'Тип счёта',
    'Routing Number': 'Маршрутный номер банка (ABA)',
    'Leave empty to keep the stored number.': 'Оставьте пустым, чтобы сохранить прежний номер.',
    'Nine digits, at the bottom left of a check.': 'Девять цифр внизу слева на чеке.',
    'Account Number': 'Номер счёта',
    'Stored: {account}. Leave empty to keep it.': 'Сохранено: {account}. Оставьте пустым, чтобы не менять.',
    '4 to 17 digits.': 'От 4 до 17 цифр.',
    'License/ID Number': 'Номер водительских прав или удостоверения',
    'Your driver’s license or state ID number.': 'Номер водительских прав или удостоверения личности штата.',
    'License/ID State': 'Штат, выдавший документ',
    'The two-letter code of the US state that issued it, e.g. TX.': 'Двухбуквенный код штата США, выдавшего документ, например TX.',
    'Date of Birth': 'Дата рождения',
    'MM/DD/YYYY. Leave empty to keep the stored date.': 'ММ/ДД/ГГГГ. Оставьте пустым, чтобы сохранить прежнюю дату.',
    'MM/DD/YYYY, e.g. 01/31/1980.': 'ММ/ДД/ГГГГ, например 01/31/1980.',
    'This account needs no details from you. You pay through a third party such as PayPal or 2CheckOut, or by bank transfer, and we mark your invoices paid when the payment arrives.':
      'Для этого способа реквизиты не нужны. Вы платите через внешнюю систему, например PayPal или 2CheckOut, или банковским переводом, а мы отмечаем счета оплаченными, когда платёж поступит.',
    'Encryption pass-phrase': 'Пароль шифрования',
    'Pass-phrase': 'Пароль шифрования',
    'Needed only to change the protected details.': 'Нужна, только если вы меняете защищённые данные.',
    'Enter one to protect the stored details with it.': 'Введите её, чтобы дополнительно защитить сохранённые данные.',
    'Your details are also encrypted with it: without it nobody, our staff included, can read or charge them. At least 8 characters; it is never shown again.':
      'Ваши данные дополнительно шифруются этой фразой: без неё никто, включая наших сотрудников, не сможет их прочитать или списать оплату. Не короче 8 символов; фраза нигде не показывается.',
    Cancel: 'Отмена',
    'The stored details are erased and cannot be recovered.': 'Сохранённые данные будут стёрты без возможности восстановления.',
    'This is your default account: your oldest other account becomes the default.': 'Это способ оплаты по умолчанию: вместо него основным станет самый старый из остальных.',
    'It pays for these packages, which will have no payment method until you choose another account for them:':
      'Этим способом оплачиваются пакеты ниже — у них не останется способа оплаты, пока вы не выберете другой:',
    'Remove billing account': 'Удалить способ оплаты',
    'Keep it': 'Оставить',
    // Messages of the checks (core/billing/accounts/schemas.ts and accounts.ts).
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
    'The security code has 3 or 4 digits': 'Код безопасности состоит из 3 или 4 цифр',
    'Enter the name as it appears on the card': 'Введите имя так, как оно написано на карте',
    'Choose the type of card': 'Выберите тип карты',
    'Enter the name of the bank': 'Введите название банка',
    'Choose the type of account': 'Выберите тип счёта',
    'A routing number has 9 digits': 'Маршрутный номер состоит из 9 цифр',
    'This is not a valid routing number: check the nine digits at the bottom left of a check': 'Такого маршрутного номера не бывает — проверьте девять цифр внизу слева на чеке',
    'An account number has 4 to 17 digits': 'Номер счёта состоит из 4–17 цифр',
    'Use letters, digits, spaces and dashes only': 'Допустимы только буквы, цифры, пробелы и дефисы',
    'Enter the two-letter code of the state, e.g. TX': 'Введите двухбуквенный код штата, например TX',
    'There is no US state with this code; use its two-letter code, e.g. TX': 'Штата США с таким кодом нет — введите двухбуквенный код, например TX',
    'Enter the date of birth as MM/DD/YYYY, e.g. 01/31/1980': 'Введите дату рождения в формате ММ/ДД/ГГГГ, например 01/31/1980',
    'The date of birth must be in the past': 'Дата рождения должна быть в прошлом',
    'Use at least 8 characters for the pass-phrase': 'Пароль шифрования должен быть не короче 8 символов',
    'Enter the encryption pass-phrase': 'Введите пароль шифрования',
    'Enter the client’s encryption pass-phrase to change the protected details': 'Чтобы изменить защищённые данные, введите парольную фразу',
    'The encryption pass-phrase is not correct.': 'Пароль шифрования неверен.',
    'Enter the number again: the stored details could not be read': 'Введите номер ещё раз: сохранённые данные не удалось прочитать',
    'Choose one of this client’s contacts': 'Выберите один из ваших контактов',
    'Choose from the listed services': 'Выберите пакеты из списка',
    'Choose from the list': 'Выберите из списка',
    'Use at most 30 characters': 'Не больше 30 символов',
    'Use at most 100 characters': 'Не больше 100 символов',
    'Use at most 200 characters': 'Не больше 200 символов',
  },
};
