// Contacts (/client/contacts, seed 003 "Adding Contacts"): the list, Add Contact and Edit Contact Info with
// every field of the guide, logins with the permissions the account owner grants, and delete (the primary
// contact stays). Only the account owner comes here; every form works without JavaScript.
import type { Context } from 'hono';
import { clientArea, createRouter, flash, readFormValues, type AppEnv, type FormValues, type Translate } from '../../../core/plugins/api.ts';
import type { PortalSection } from './section.ts';
import { clientIdOf, renderPortal } from './render.ts';
import { AREA_ROLES, areaGuard } from './permissions.ts';

const BASE = '/client/contacts';

type Found = NonNullable<Awaited<ReturnType<typeof clientArea.clientContact>>>;

function translated(t: Translate, errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, t(v)]));
}

const PERMISSION_SHORT: Record<string, string> = { owner: 'Account owner', all: 'Everything', billing: 'Billing only', technical: 'Technical only' };

function countyData(t: Translate, values: FormValues, errors: Record<string, string>, fragment: boolean) {
  return { values, errors, countyVisible: clientArea.countyVisible(values, errors), fragment, countyUrl: `${BASE}/county-field`, t };
}

async function formPage(c: Context<AppEnv>, input: { found?: Found; values: FormValues; errors?: Record<string, string>; status?: 200 | 400 }): Promise<Response> {
  const t = c.get('t');
  const contact = input.found?.contact;
  const errors = translated(t, input.errors ?? {});
  const name = contact ? `${contact.first_name} ${contact.last_name}`.trim() : '';
  return renderPortal(
    c,
    'client/contact-form',
    {
      contact: contact ? { id: contact.id, name, isPrimary: contact.is_primary } : null,
      login: input.found?.login ? { email: input.found.login.email, status: input.found.login.status } : null,
      action: contact ? `${BASE}/${contact.id}` : `${BASE}/new`,
      values: input.values,
      errors,
      county: countyData(t, input.values, errors, false),
      countries: [{ value: '', label: t('Choose a country…') }, ...clientArea.countryOptions(t.lang)],
      languages: clientArea.CONTACT_LANGUAGE_OPTIONS,
      emailFormats: clientArea.CONTACT_CHOICES.emailFormat.map((o) => ({ value: o.value, label: t(o.label) })),
      emailActions: clientArea.CONTACT_CHOICES.emailActions.map((o) => ({ value: o.value, label: t(o.label) })),
      permissions: clientArea.CONTACT_CHOICES.permissions.map((o) => ({ value: o.value, label: t(o.label) })),
    },
    { title: contact ? t('Edit Contact Info: {name}', { name }) : t('Add Contact'), status: input.status ?? 200 },
  );
}

/** A post that asked for "Toggle All": the form again with every e-mail ticked (or none), nothing saved. */
function afterToggle(c: Context<AppEnv>, found: Found | undefined, values: FormValues): Promise<Response> | null {
  return values.toggleAll === undefined ? null : formPage(c, { found, values: clientArea.toggledActions(values) });
}

export const contactsSection: PortalSection = {
  mount: '/contacts',
  menu: [{ area: 'client', section: 'account', id: 'contacts', label: 'Contacts', href: '/contacts', order: 20, roles: AREA_ROLES.owner }],
  routes() {
    const r = createRouter();
    r.use('*', areaGuard('owner'));

    r.get('/', async (c) => {
      const t = c.get('t');
      const contacts = await clientArea.clientContactList(c.get('app').db, clientIdOf(c));
      return renderPortal(
        c,
        'client/contacts',
        { contacts: contacts.map((ct) => ({ ...ct, permissionLabel: t(PERMISSION_SHORT[ct.isPrimary ? 'owner' : ct.permissions] ?? ct.permissions) })) },
        { title: t('Contacts') },
      );
    });

    /** The county field alone, for htmx when State or Country changes. */
    r.get('/county-field', (c) => renderPortal(c, 'client/contact-county', countyData(c.get('t'), clientArea.countyQuery(c.req.query()), {}, true), { layout: false }));

    r.get('/new', async (c) => formPage(c, { values: await clientArea.newContactValues(c.get('app').db, clientIdOf(c)) }));

    r.post('/new', async (c) => {
      const app = c.get('app');
      const t = c.get('t');
      const values = await readFormValues(c);
      const toggled = afterToggle(c, undefined, values);
      if (toggled) return toggled;
      const result = await clientArea.addClientContact(app, { clientId: clientIdOf(c), values, actor: clientArea.portalActor(c) });
      if (!result.ok) return formPage(c, { values, errors: result.errors, status: 400 });
      const name = `${String(values.firstName ?? '').trim()} ${String(values.lastName ?? '').trim()}`.trim();
      flash(c, 'success', result.value.userId ? t('{name} was added and can now sign in.', { name }) : t('{name} was added.', { name }));
      return c.redirect(BASE, 303);
    });

    const load = (c: Context<AppEnv>) => clientArea.clientContact(c.get('app').db, clientIdOf(c), Number(c.req.param('id')));

    r.get('/:id{[0-9]+}', async (c) => {
      const found = await load(c);
      if (!found) return c.get('app').pages.error(c, 404);
      return formPage(c, { found, values: clientArea.editContactValues(found) });
    });

    r.post('/:id{[0-9]+}', async (c) => {
      const app = c.get('app');
      const t = c.get('t');
      const found = await load(c);
      if (!found) return app.pages.error(c, 404);
      const values = await readFormValues(c);
      const toggled = afterToggle(c, found, values);
      if (toggled) return toggled;
      const result = await clientArea.saveClientContact(app, { clientId: clientIdOf(c), contact: found.contact, values, actor: clientArea.portalActor(c) });
      if (!result.ok) return formPage(c, { found, values, errors: result.errors, status: 400 });
      const v = result.value;
      const name = `${found.contact.first_name} ${found.contact.last_name}`.trim();
      const extra = v.loginCreated ? t('It can now sign in.') : v.passwordChanged ? t('The login has a new password and was signed out everywhere.') : '';
      flash(c, 'success', `${t('The contact was saved.')}${extra ? ` ${extra}` : ''}`);
      if (found.contact.is_primary && found.login?.id === c.get('user')?.id && values.language !== found.contact.language) {
        // The owner's own contact: its language is this login's, from the next page on.
        flash(c, 'info', t('Your client area now uses the language chosen for {name}.', { name }));
      }
      return c.redirect(BASE, 303);
    });

    r.get('/:id{[0-9]+}/delete', async (c) => {
      const found = await load(c);
      if (!found) return c.get('app').pages.error(c, 404);
      const name = `${found.contact.first_name} ${found.contact.last_name}`.trim();
      return renderPortal(c, 'client/contact-delete', { contact: { id: found.contact.id, name, isPrimary: found.contact.is_primary }, login: found.login ? { email: found.login.email } : null }, { title: c.get('t')('Delete {name}?', { name }) });
    });

    r.post('/:id{[0-9]+}/delete', async (c) => {
      const app = c.get('app');
      const t = c.get('t');
      const found = await load(c);
      if (!found) return app.pages.error(c, 404);
      const result = await clientArea.deleteClientContact(app, { clientId: clientIdOf(c), contactId: found.contact.id, actor: clientArea.portalActor(c) });
      const name = `${found.contact.first_name} ${found.contact.last_name}`.trim();
      if (result.ok) flash(c, 'success', result.value.removedUserId ? t('{name} and their login were deleted.', { name }) : t('{name} was deleted.', { name }));
      else flash(c, 'error', t(result.errors._form ?? 'The contact could not be deleted.'));
      return c.redirect(BASE, 303);
    });

    r.post('/:id{[0-9]+}/login/remove', async (c) => {
      const app = c.get('app');
      const t = c.get('t');
      const found = await load(c);
      if (!found) return app.pages.error(c, 404);
      if (found.contact.is_primary) {
        flash(c, 'error', t('The account owner’s own login cannot be removed here.'));
        return c.redirect(`${BASE}/${found.contact.id}`, 303);
      }
      const result = await clientArea.removeClientContactLogin(app, { clientId: clientIdOf(c), contactId: found.contact.id, actor: clientArea.portalActor(c) });
      if (result.ok) flash(c, 'success', t('The login {email} was removed and signed out everywhere.', { email: found.login?.email ?? '' }));
      else flash(c, 'error', t(result.errors._form ?? 'The login could not be removed.'));
      return c.redirect(`${BASE}/${found.contact.id}`, 303);
    });

    return r;
  },
  ru: {
    Contacts: 'Контакты',
    'Add Contact': 'Добавить контакт',
    'Edit Contact Info': 'Изменить контактные данные',
    'Edit Contact Info: {name}': 'Данные контакта: {name}',
    'Edit contact info of {name}': 'Изменить данные контакта {name}',
    'View/Manage Billing Account': 'Способы оплаты',
    'Billing accounts of {name}': 'Способы оплаты: {name}',
    'The people of your account: who receives which e-mails, and who may sign in to this client area with which permissions.':
      'Люди, связанные с вашим аккаунтом: кто какие письма получает и кто с какими правами может входить в личный кабинет.',
    'Your account has no contacts yet.': 'В вашем аккаунте пока нет контактов.',
    Name: 'Имя',
    Company: 'Компания',
    'E-mail': 'Эл. почта',
    'Client area login': 'Доступ в личный кабинет',
    Actions: 'Действия',
    primary: 'основной',
    suspended: 'заблокирован',
    'No login': 'Нет доступа',
    'Account owner': 'Владелец аккаунта',
    Everything: 'Всё',
    'Billing only': 'Только оплата',
    'Technical only': 'Только технические вопросы',
    Delete: 'Удалить',
    'Delete…': 'Удалить…',
    'Delete {name}': 'Удалить контакт {name}',
    'Delete {name}?': 'Удалить контакт {name}?',
    'The primary contact cannot be deleted: it is the account owner.': 'Основной контакт удалить нельзя: это владелец аккаунта.',
    'Back to contacts': 'К списку контактов',
    'The contact no longer receives any e-mails from us.': 'Контакт перестанет получать от нас письма.',
    'Its login {email} is deleted too and signed out everywhere.': 'Его доступ в личный кабинет ({email}) тоже будет удалён, все сеансы завершатся.',
    'Delete contact and login': 'Удалить контакт и доступ',
    'Delete contact': 'Удалить контакт',
    'Keep it': 'Оставить',
    '{name} was added and can now sign in.': 'Контакт {name} добавлен и может входить в личный кабинет.',
    '{name} was added.': 'Контакт {name} добавлен.',
    'The contact was saved.': 'Контакт сохранён.',
    'It can now sign in.': 'Теперь он может входить в личный кабинет.',
    'The login has a new password and was signed out everywhere.': 'Пароль изменён, все сеансы этого доступа завершены.',
    'Your client area now uses the language chosen for {name}.': 'Личный кабинет теперь на языке, выбранном для контакта {name}.',
    '{name} and their login were deleted.': 'Контакт {name} и его доступ удалены.',
    '{name} was deleted.': 'Контакт {name} удалён.',
    'The contact could not be deleted.': 'Контакт удалить не удалось.',
    'The account owner’s own login cannot be removed here.': 'Доступ владельца аккаунта здесь удалить нельзя.',
    'The login {email} was removed and signed out everywhere.': 'Доступ {email} удалён, все его сеансы завершены.',
    'The login could not be removed.': 'Доступ удалить не удалось.',
    'Please correct the fields marked below.': 'Исправьте отмеченные ниже поля.',
    'Save Contact': 'Сохранить контакт',
    Cancel: 'Отмена',
    'Contact Details': 'Контактные данные',
    'First Name': 'Имя',
    'Last Name': 'Фамилия',
    'Your account’s e-mail address too; automatic e-mails go here.': 'Это и адрес вашего аккаунта: на него приходят автоматические письма.',
    'Automatic e-mails go to this address.': 'На этот адрес приходят автоматические письма.',
    Address: 'Адрес',
    'Street Address': 'Улица, дом',
    'Address 2': 'Адрес, строка 2',
    'Apartment, suite or building, if any.': 'Квартира, офис или корпус, если есть.',
    City: 'Город',
    'State or province': 'Штат, область или регион',
    'For a US state enter its two-letter code (e.g. NY) and choose the county.': 'Для штата США введите двухбуквенный код (например, NY) и укажите округ.',
    County: 'Округ',
    'County (US states only)': 'Округ (только для штатов США)',
    'Only for a US state given as its two-letter code, e.g. NY.': 'Только для штата США, указанного двухбуквенным кодом, например NY.',
    'Zip or postal code': 'Почтовый индекс',
    Country: 'Страна',
    'Choose a country…': 'Выберите страну…',
    Phones: 'Телефоны',
    'Primary Phone': 'Основной телефон',
    'Secondary Phone': 'Дополнительный телефон',
    Fax: 'Факс',
    'Mobile Phone': 'Мобильный телефон',
    'Language and e-mails': 'Язык и письма',
    Language: 'Язык',
    'Of this client area and of the e-mails; a login of the contact uses it too.': 'Язык личного кабинета и писем; он же будет у доступа этого контакта.',
    'Email Format': 'Формат писем',
    'Plain text': 'Обычный текст',
    'Email Actions: the e-mails this contact receives': 'Рассылки: какие письма получает контакт',
    'Invoices and payment reminders': 'Счета и напоминания об оплате',
    'Payment receipts': 'Квитанции об оплате',
    'Service notices (activation, suspension, expiry)': 'Уведомления об услугах (подключение, приостановка, окончание срока)',
    'Support ticket replies': 'Ответы на обращения в поддержку',
    'News and offers': 'Новости и специальные предложения',
    'Toggle All': 'Отметить все / снять все',
    'Login to the client area': 'Вход в личный кабинет',
    'This is the account owner’s contact. Its own user name and password are changed under My account.': 'Это контакт владельца аккаунта. Его логин и пароль меняются в разделе «Мой аккаунт».',
    'This contact signs in as {email}. Leave the password fields empty to keep the password; a new password signs the login out everywhere.':
      'Контакт входит под логином {email}. Оставьте поля пароля пустыми, чтобы не менять его; после смены пароля все сеансы завершатся.',
    'Leave the user name empty for a contact who does not sign in.': 'Если контакту не нужен вход в личный кабинет, оставьте логин пустым.',
    'User name': 'Логин',
    'The e-mail address the contact signs in with.': 'Адрес эл. почты, под которым контакт входит в кабинет.',
    Permissions: 'Права',
    'What the contact may see and do after signing in.': 'Что контакт сможет видеть и делать в личном кабинете.',
    'Billing only (invoices, payments)': 'Только оплата (счета, платежи)',
    'Technical only (services, tickets)': 'Только технические вопросы (услуги, обращения)',
    Password: 'Пароль',
    'New Password': 'Новый пароль',
    'At least 10 characters. Never shown again.': 'Не короче 10 символов. Пароль нигде не показывается.',
    'Confirm Password': 'Пароль ещё раз',
    'Take the login away: the contact stays, but can no longer sign in and is signed out everywhere.':
      'Закрыть доступ: контакт останется, но больше не сможет входить в личный кабинет, все его сеансы завершатся.',
    'Remove login {email}': 'Удалить доступ {email}',
    // Messages of the checks (core/billing/clients/schemas.ts and contacts.ts).
    'Enter text': 'Введите текст',
    'Enter the first name': 'Введите имя',
    'Enter the last name': 'Введите фамилию',
    'Enter an e-mail address': 'Введите адрес эл. почты',
    'Enter a valid e-mail address, like name@example.com': 'Введите правильный адрес эл. почты, например name@example.com',
    'Choose a country': 'Выберите страну',
    'Choose a country from the list': 'Выберите страну из списка',
    'Use digits, spaces and + ( ) - . / only': 'Допустимы только цифры, пробелы и символы + ( ) - . /',
    'Use letters, digits, spaces and hyphens only': 'Допустимы только буквы, цифры, пробелы и дефисы',
    'Choose from the listed e-mails': 'Выберите письма из списка',
    'Choose a language': 'Выберите язык',
    'Choose HTML or plain text': 'Выберите HTML или обычный текст',
    'Choose what the login may do': 'Выберите права доступа',
    'A county is only for US addresses: choose United States or leave the county empty': 'Округ указывается только для адресов в США: выберите страну «США» или оставьте поле пустым',
    'A county needs a two-letter US state code (like NY) in State, or leave the county empty': 'Для округа укажите в поле штата двухбуквенный код штата США (например, NY) или оставьте округ пустым',
    'Use at least 10 characters': 'Не короче 10 символов',
    'The two passwords do not match': 'Пароли не совпадают',
    'Enter a user name (an e-mail address) to create a login, or leave the password empty': 'Чтобы открыть доступ, введите логин (адрес эл. почты) или оставьте пароль пустым',
    'Enter a password of at least 10 characters for the new login': 'Для нового доступа введите пароль не короче 10 символов',
    'Enter the user name; to take the login away use "Remove login"': 'Введите логин; чтобы закрыть доступ, нажмите «Удалить доступ»',
    'Enter the user name': 'Введите логин',
    'Another client login already uses this user name: choose a different e-mail address': 'Этот логин уже занят — укажите другой адрес эл. почты',
    'This contact does not exist (any more).': 'Такого контакта нет — возможно, его уже удалили.',
    'The contact was changed by someone else meanwhile; reload and try again.': 'Пока вы редактировали, контакт изменил кто-то другой. Обновите страницу и попробуйте снова.',
    'The primary contact cannot be deleted: make another contact primary first.': 'Основной контакт удалить нельзя.',
    'This contact has no login.': 'У этого контакта нет доступа в личный кабинет.',
    'Use at most 20 characters': 'Не больше 20 символов',
    'Use at most 40 characters': 'Не больше 40 символов',
    'Use at most 100 characters': 'Не больше 100 символов',
    'Use at most 200 characters': 'Не больше 200 символов',
    'Use at most 254 characters': 'Не больше 254 символов',
  },
};
