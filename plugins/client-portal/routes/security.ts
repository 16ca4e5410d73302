// Account security (/client/security): change password, two-step sign-in (TOTP), active sessions,
// and the Global Account: the client's control panels, reached without signing in again (seed 003).
import type { Context } from 'hono';
import { clientArea, createRouter, flash, pluralKey, validateForm, type AppEnv, type FormValues, type Translate } from '../../../core/plugins/api.ts';
import type { PortalSection } from './section.ts';
import { clientIdOf, renderPortal } from './render.ts';

const BASE = '/client/security';

type Errors = Record<string, string>;
type Form = 'password' | 'two-factor' | '';

const tr = (t: Translate, errors: Errors): Errors => Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, t(v)]));

function ssoActor(c: Context<AppEnv>): clientArea.SsoActor {
  const a = clientArea.accountActor(c);
  return { userId: a.id, email: a.email, ip: a.ip };
}

/** "Firefox on Linux" from a user agent: enough to recognise one's own devices, no fingerprinting library. */
export function describeDevice(t: Translate, ua: string | null): string {
  if (!ua) return t('Unknown device');
  const browser = /Edg\//.test(ua) ? 'Edge' : /OPR\//.test(ua) ? 'Opera' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : /curl\//i.test(ua) ? 'curl' : null;
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad|iPod/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS X|Macintosh/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : null;
  if (browser && os) return t('{browser} on {os}', { browser, os });
  return browser ?? os ?? t('Unknown device');
}

async function securityPage(c: Context<AppEnv>, opts: { values?: FormValues; errors?: Errors; form?: Form; status?: 200 | 400 | 429 } = {}) {
  const app = c.get('app');
  const t = c.get('t');
  const actor = clientArea.accountActor(c);
  const [sessions, twoFactor, panels] = await Promise.all([
    clientArea.sessionsOf(app, actor),
    clientArea.twoFactorStatus(app.db, actor.id),
    clientArea.controlPanelServices(app, clientIdOf(c)),
  ]);
  const errors = tr(t, opts.errors ?? {});
  return renderPortal(
    c,
    'client/security',
    {
      sessions: sessions.map((s) => ({ ...s, device: describeDevice(t, s.user_agent) })),
      twoFactor,
      panels,
      userId: actor.id,
      values: opts.values ?? {},
      passwordErrors: opts.form === 'password' ? errors : {},
      twoFactorErrors: opts.form === 'two-factor' ? errors : {},
    },
    { title: t('Security'), status: opts.status ?? 200 },
  );
}

async function setupPage(c: Context<AppEnv>, errors: Errors = {}, status: 200 | 400 = 200) {
  const t = c.get('t');
  const enrolment = await clientArea.twoFactorEnrolment(c.get('app'), clientArea.accountActor(c), clientArea.TOTP_ISSUER);
  if (!enrolment) return c.redirect(BASE, 303);
  return renderPortal(c, 'client/security-two-factor', { enrolment, errors: tr(t, errors) }, { title: t('Set up two-step sign-in'), status });
}

function codesPage(c: Context<AppEnv>, codes: string[], fresh: boolean) {
  return renderPortal(c, 'client/security-recovery-codes', { codes, fresh }, { title: c.get('t')('Your recovery codes') });
}

/**
 * Jumping to a panel is a link (a form's redirect to another origin would be stopped by the CSP's
 * form-action). A link can be followed from another site, so a cross-site request (the browser
 * says so in Sec-Fetch-Site) is sent to the security page instead of asking the module.
 */
function crossSite(c: Context<AppEnv>): boolean {
  const site = c.req.header('sec-fetch-site');
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

export const securitySection: PortalSection = {
  mount: '/security',
  menu: [{ area: 'client', section: 'account', id: 'security', label: 'Security', href: '/security', order: 30 }],
  routes() {
    const r = createRouter();

    r.get('/', (c) => securityPage(c));

    r.post('/password', async (c) => {
      const t = c.get('t');
      const form = await validateForm(c, clientArea.changePasswordSchema);
      if (!form.ok) return securityPage(c, { values: form.values, errors: form.errors, form: 'password', status: 400 });
      const result = await clientArea.changePassword(c.get('app'), clientArea.accountActor(c), form.data);
      if (!result.ok) return securityPage(c, { values: form.values, errors: result.errors, form: 'password', status: 400 });
      const ended = result.value.endedSessions;
      flash(c, 'success', ended > 0 ? t.plural(ended, { one: 'Your password was changed and {n} other session was signed out.', other: 'Your password was changed and {n} other sessions were signed out.' }) : t('Your password was changed.'));
      return c.redirect(BASE, 303);
    });

    r.post('/two-factor/start', async (c) => {
      await clientArea.startTwoFactor(c.get('app'), clientArea.accountActor(c));
      return c.redirect(`${BASE}/two-factor`, 303);
    });

    r.get('/two-factor', (c) => setupPage(c));

    r.post('/two-factor', async (c) => {
      const form = await validateForm(c, clientArea.confirmCodeSchema);
      if (!form.ok) return setupPage(c, form.errors, 400);
      const result = await clientArea.confirmTwoFactor(c.get('app'), clientArea.accountActor(c), form.data.code);
      if (!result.ok) return setupPage(c, result.errors, 400);
      // Shown in this response only: the codes are stored hashed.
      return codesPage(c, result.value, true);
    });

    r.post('/two-factor/recovery-codes', async (c) => {
      const codes = await clientArea.renewRecoveryCodes(c.get('app'), clientArea.accountActor(c));
      if (!codes) return c.redirect(BASE, 303);
      return codesPage(c, codes, false);
    });

    r.post('/two-factor/disable', async (c) => {
      const form = await validateForm(c, clientArea.disableTwoFactorSchema);
      if (!form.ok) return securityPage(c, { values: form.values, errors: form.errors, form: 'two-factor', status: 400 });
      const result = await clientArea.disableOwnTwoFactor(c.get('app'), clientArea.accountActor(c), form.data);
      if (!result.ok) return securityPage(c, { values: form.values, errors: result.errors, form: 'two-factor', status: 400 });
      flash(c, 'success', c.get('t')('Two-step sign-in is off. Signing in now needs only your password.'));
      return c.redirect(BASE, 303);
    });

    r.post('/sessions/:sessionId{[0-9a-f]+}/end', async (c) => {
      const app = c.get('app');
      const actor = clientArea.accountActor(c);
      const id = c.req.param('sessionId');
      if (!(await clientArea.endOneSession(app, actor, id))) return app.pages.error(c, 404);
      if (id === actor.sessionId) return c.redirect('/login', 303);
      flash(c, 'success', c.get('t')('That session was signed out.'));
      return c.redirect(`${BASE}#sessions`, 303);
    });

    r.post('/sessions/end-others', async (c) => {
      const t = c.get('t');
      const ended = await clientArea.endOtherSessions(c.get('app'), clientArea.accountActor(c));
      flash(c, 'success', t.plural(ended, { one: 'Signed out {n} other session.', other: 'Signed out {n} other sessions.' }));
      return c.redirect(`${BASE}#sessions`, 303);
    });

    r.post('/sessions/end-all', async (c) => {
      await clientArea.endAllSessions(c.get('app'), clientArea.accountActor(c));
      flash(c, 'info', c.get('t')('You were signed out on every device, this one too.'));
      return c.redirect('/login', 303);
    });

    r.get('/panel/:serviceId{[0-9]+}', async (c) => {
      const app = c.get('app');
      if (crossSite(c)) return c.redirect(`${BASE}#control-panels`, 303);
      const result = await clientArea.panelLoginUrl(app, { clientId: clientIdOf(c), serviceId: Number(c.req.param('serviceId')), actor: ssoActor(c) });
      if (!result.ok && result.reason === 'not_found') return app.pages.error(c, 404);
      if (!result.ok) {
        flash(c, 'error', c.get('t')(result.message));
        return c.redirect(`${BASE}#control-panels`, 303);
      }
      return c.redirect(result.url, 303);
    });

    const linkRoute = (action: 'connect' | 'disconnect') =>
      r.post(`/global-account/:serviceId{[0-9]+}/${action}`, async (c) => {
        const app = c.get('app');
        const t = c.get('t');
        const input = { clientId: clientIdOf(c), serviceId: Number(c.req.param('serviceId')), actor: ssoActor(c) };
        const result = action === 'connect' ? await clientArea.connectGlobalAccount(app, input) : await clientArea.disconnectGlobalAccount(app, input);
        if (!result.ok && result.reason === 'not_found') return app.pages.error(c, 404);
        if (!result.ok) flash(c, 'error', t(result.message));
        else flash(c, 'success', action === 'connect' ? t('Connected to Global Account: this control panel can now sign you in here.') : t('Disconnected: this control panel can no longer sign you in here.'));
        return c.redirect(`${BASE}#control-panels`, 303);
      });
    linkRoute('connect');
    linkRoute('disconnect');

    return r;
  },
  ru: {
    Account: 'Учётная запись',
    Security: 'Безопасность',
    // password
    'Change password': 'Сменить пароль',
    'Changing it signs you out on every other device.': 'После смены пароля все остальные сеансы будут завершены.',
    'Current password': 'Текущий пароль',
    'New password': 'Новый пароль',
    'Repeat the new password': 'Повторите новый пароль',
    'At least 10 characters.': 'Не короче 10 символов.',
    'Enter your current password': 'Введите текущий пароль',
    'This is not your current password': 'Это не ваш текущий пароль',
    'Use at least 10 characters': 'Не короче 10 символов',
    'Use at most 200 characters': 'Не больше 200 символов',
    'The two passwords do not match': 'Пароли не совпадают',
    'Your password was changed.': 'Пароль изменён.',
    [pluralKey({ one: 'Your password was changed and {n} other session was signed out.', other: 'Your password was changed and {n} other sessions were signed out.' })]:
      'one=Пароль изменён, завершён {n} другой сеанс.\nfew=Пароль изменён, завершено {n} других сеанса.\nmany=Пароль изменён, завершено {n} других сеансов.\nother=Пароль изменён, завершено {n} другого сеанса.',
    'Please correct the fields marked below.': 'Исправьте отмеченные ниже поля.',
    // two-step sign-in
    'Two-step sign-in': 'Двухэтапный вход',
    On: 'Включён',
    Off: 'Выключен',
    'Since {date}, signing in asks for a code from the authenticator app on your phone after your password.': 'С {date} при входе после пароля запрашивается код из приложения-аутентификатора на телефоне.',
    'Protect your account with a code from an authenticator app on your phone, asked after your password.': 'Защитите учётную запись: после пароля при входе будет запрашиваться код из приложения-аутентификатора на телефоне.',
    'Set up two-step sign-in': 'Настроить двухэтапный вход',
    [pluralKey({ one: '{n} unused recovery code left.', other: '{n} unused recovery codes left.' })]:
      'one=Остался {n} неиспользованный резервный код.\nfew=Осталось {n} неиспользованных резервных кода.\nmany=Осталось {n} неиспользованных резервных кодов.\nother=Осталось {n} неиспользованного резервного кода.',
    'Make new recovery codes': 'Создать новые резервные коды',
    'Turn it off': 'Выключение',
    'Turning it off needs your password and a code.': 'Чтобы выключить двухэтапный вход, введите пароль и код.',
    Password: 'Пароль',
    'Code from your app, or a recovery code': 'Код из приложения или резервный код',
    'Turn off two-step sign-in': 'Выключить двухэтапный вход',
    'Enter your password': 'Введите пароль',
    'Enter a code from your app or a recovery code': 'Введите код из приложения или резервный код',
    'This code is not right, or it was already used': 'Код неверен или уже был использован',
    'Too many wrong codes. Try again in a few minutes': 'Слишком много неверных кодов. Попробуйте через несколько минут',
    'Two-step sign-in is off. Signing in now needs only your password.': 'Двухэтапный вход выключен. Теперь для входа нужен только пароль.',
    '1. Scan the code': '1. Отсканируйте код',
    'Open an authenticator app on your phone (FreeOTP, Aegis, Google Authenticator, Microsoft Authenticator, 1Password …) and add an account by scanning this code.':
      'Откройте на телефоне приложение-аутентификатор (FreeOTP, Aegis, Google Authenticator, Яндекс Ключ, Microsoft Authenticator, 1Password …) и добавьте учётную запись, отсканировав этот код.',
    'QR code for your authenticator app': 'QR-код для приложения-аутентификатора',
    'Cannot scan? Enter this key in the app instead (time-based, 6 digits):': 'Не получается отсканировать? Введите в приложении этот ключ (по времени, 6 цифр):',
    '2. Enter the code it shows': '2. Введите код из приложения',
    'Two-step sign-in is turned on only when the code matches, so a wrong scan cannot lock you out.': 'Двухэтапный вход включится, только если код совпадёт, поэтому неудачное сканирование не лишит вас доступа.',
    'Code from the app': 'Код из приложения',
    'Turn on two-step sign-in': 'Включить двухэтапный вход',
    Cancel: 'Отмена',
    'Enter the code your app shows': 'Введите код, который показывает приложение',
    'This code is not right. Check that the time on your phone is correct and enter the code the app shows now': 'Код неверен. Проверьте, что время на телефоне установлено правильно, и введите код, который приложение показывает сейчас',
    'Your recovery codes': 'Ваши резервные коды',
    'Two-step sign-in is on.': 'Двухэтапный вход включён.',
    'These codes replace your earlier ones, which no longer work.': 'Эти коды заменяют прежние — те больше не действуют.',
    'If you lose your phone, each of these codes signs you in once instead of a code from the app. Save them somewhere safe now (print them or keep them in a password manager):':
      'Если вы потеряете телефон, каждый из этих кодов можно один раз ввести вместо кода из приложения. Сохраните их в надёжном месте прямо сейчас (распечатайте или запишите в менеджер паролей):',
    'they are shown only this once.': 'больше они показаны не будут.',
    'I have saved them': 'Я сохранил коды',
    // the sign-in page's second step (core's page reads these through the same catalog)
    'Open the authenticator app on your phone and enter the 6-digit code it shows for this account.': 'Откройте приложение-аутентификатор на телефоне и введите 6-значный код, который оно показывает для этой учётной записи.',
    Code: 'Код',
    'No phone at hand? Enter one of your recovery codes instead.': 'Нет телефона под рукой? Введите один из резервных кодов.',
    Continue: 'Продолжить',
    'Sign in as someone else': 'Войти под другой учётной записью',
    'Enter the code from your authenticator app': 'Введите код из приложения-аутентификатора',
    'Your sign-in took too long. Sign in again.': 'Время на вход истекло. Войдите ещё раз.',
    'Too many wrong codes. Try again in {minutes} minute(s).': 'Слишком много неверных кодов. Попробуйте снова через {minutes} мин.',
    'This code is not right, or it was already used. Wait for the next code and try again.': 'Код неверен или уже был использован. Дождитесь следующего кода и попробуйте снова.',
    'You signed in with a recovery code; {n} unused code(s) left. Make new ones under your account security if you are running low.':
      'Вы вошли по резервному коду; неиспользованных кодов осталось: {n}. Если их мало, создайте новые в разделе «Безопасность».',
    // sessions
    'Active sessions': 'Активные сеансы',
    'Where you are signed in now. Sign out any session you do not recognise, then change your password.': 'Здесь видно, где сейчас выполнен вход. Завершите незнакомые сеансы и смените пароль.',
    Device: 'Устройство',
    'IP address': 'IP-адрес',
    'Signed in': 'Вход выполнен',
    'Last seen': 'Последняя активность',
    'This device': 'Это устройство',
    'Unknown device': 'Неизвестное устройство',
    '{browser} on {os}': '{browser}, {os}',
    'Sign out': 'Выйти',
    'Sign out session from {device}': 'Завершить сеанс на устройстве {device}',
    'Sign out all other sessions': 'Завершить все остальные сеансы',
    'Sign out everywhere': 'Выйти на всех устройствах',
    'That session was signed out.': 'Сеанс завершён.',
    [pluralKey({ one: 'Signed out {n} other session.', other: 'Signed out {n} other sessions.' })]:
      'one=Завершён {n} другой сеанс.\nfew=Завершено {n} других сеанса.\nmany=Завершено {n} других сеансов.\nother=Завершено {n} другого сеанса.',
    'You were signed out on every device, this one too.': 'Выполнен выход на всех устройствах, включая это.',
    // Global Account
    'Global Account': 'Global Account',
    'Go between your client area and your hosting control panels without signing in twice. Connect a control panel to your login here, and its Billing Details button brings you straight back.':
      'Переходите между личным кабинетом и панелями управления хостингом без повторного входа. Подключите здесь панель к своей учётной записи, и кнопка «Billing Details» в панели будет сразу возвращать вас сюда.',
    'None of your services has a control panel you can sign in to from here.': 'Ни у одной из ваших услуг нет панели управления, в которую можно войти отсюда.',
    Service: 'Услуга',
    'Control panel': 'Панель управления',
    'Go to control panel': 'Перейти в панель управления',
    'Go to the control panel of {service}': 'Перейти в панель управления услуги {service}',
    'Available while the service is active.': 'Доступно, пока услуга активна.',
    'Connected to your login': 'Подключено к вашей учётной записи',
    'Connected to {email}': 'Подключено к {email}',
    'Not connected': 'Не подключено',
    'Connect to Global Account': 'Подключить к Global Account',
    'Connect here instead': 'Подключить к моей учётной записи',
    Disconnect: 'Отключить',
    'Not set up by your provider': 'Провайдер ещё не настроил',
    'Connected to Global Account: this control panel can now sign you in here.': 'Подключено к Global Account: теперь панель управления может выполнять вход в личный кабинет.',
    'Disconnected: this control panel can no longer sign you in here.': 'Отключено: панель управления больше не может выполнять вход в личный кабинет.',
    'This service has no control panel to sign in to.': 'У этой услуги нет панели управления для входа.',
    'You can go to the control panel while the service is active.': 'Перейти в панель управления можно, пока услуга активна.',
    'The control panel did not answer. Try again in a few minutes; if it keeps failing, open a ticket.': 'Панель управления не ответила. Попробуйте через несколько минут, а если ошибка повторяется, создайте обращение.',
    'This service has no control panel to connect.': 'У этой услуги нет панели управления для подключения.',
    'Signing in from this control panel is not set up by your provider yet.': 'Вход из этой панели управления провайдер пока не настроил.',
    'This sign-in link is not valid or has expired. Sign in with your e-mail address and password.': 'Ссылка для входа недействительна или устарела. Войдите, указав адрес e-mail и пароль.',
  },
};
