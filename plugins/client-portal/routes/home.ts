// The client's home (/client): balance, what is owed, what needs attention, and the dunning timeline.
import { clientArea, createRouter, pluralKey } from '../../../core/plugins/api.ts';
import type { PortalSection } from './section.ts';
import { renderPortal } from './render.ts';
import { STATUS_LABELS, INVOICING_RULES } from './labels.ts';
import { mayUse } from './permissions.ts';

export const homeSection: PortalSection = {
  mount: '',
  menu: [{ area: 'client', section: 'dashboard', id: 'home', label: 'Home', href: '/', order: 0 }],
  routes() {
    const r = createRouter();
    r.get('/', async (c) => {
      const user = c.get('user')!;
      const home = await clientArea.loadClientHome(c.get('app'), user.clientId!);
      if (!home) return c.get('app').pages.error(c, 404);
      // A login with billing or technical permissions only sees the blocks it may act on.
      const role = user.role;
      return renderPortal(c, 'client/home', { home, statusLabels: STATUS_LABELS, invoicingRules: INVOICING_RULES, canBill: mayUse(role, 'billing'), canTech: mayUse(role, 'technical') }, { title: c.get('t')('Home') });
    });
    return r;
  },
  ru: {
    Home: 'Главная',
    Welcome: 'Добро пожаловать',
    'Credit balance': 'Баланс',
    'Amount due': 'К оплате',
    'Nothing is due. Thank you!': 'Оплачивать нечего. Спасибо!',
    'Pay all outstanding': 'Оплатить все счета',
    'Needs your attention': 'Требует внимания',
    'All your services are running.': 'Все ваши услуги работают.',
    'Recent invoices': 'Последние счета',
    'All invoices': 'Все счета',
    'You have no invoices yet.': 'У вас пока нет счетов.',
    'Open tickets': 'Открытые обращения',
    'No open tickets.': 'Открытых обращений нет.',
    'Overdue invoices': 'Просроченные счета',
    'Invoice {number} was due on {date}.': 'Счёт {number} нужно было оплатить до {date}.',
    'Unless it is paid, {services} will be suspended on {date}.': 'Если счёт не будет оплачен, {services} будут приостановлены {date}.',
    'Unless it is paid, {services} will be closed on {date}.': 'Если счёт не будет оплачен, {services} будут удалены {date}.',
    'Pay now': 'Оплатить',
    'Invoice ID': 'Номер счёта',
    Amount: 'Сумма',
    Entered: 'Выставлен',
    'Due Date': 'Срок оплаты',
    Status: 'Статус',
    Package: 'Пакет',
    'Expires': 'Истекает',
    'Manage': 'Управление',
    'in {currency}': 'в {currency}',
    [pluralKey({ one: '{n} unpaid invoice', other: '{n} unpaid invoices' })]: 'one={n} неоплаченный счёт\nfew={n} неоплаченных счёта\nmany={n} неоплаченных счетов\nother={n} неоплаченного счёта',
  },
};
