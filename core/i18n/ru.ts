// Russian for the strings core shows clients: the client layout, sign-in, errors, the account page.
import type { Messages } from './i18n.ts';

export const CORE_RU: Messages = {
  'Skip to content': 'Перейти к содержимому',
  'client area': 'личный кабинет',
  'Sign out': 'Выйти',
  Change: 'Сменить',
  'Main menu': 'Главное меню',
  Home: 'Главная',
  'My account': 'Мой аккаунт',
  Language: 'Язык',
  'Sign in': 'Войти',
  'E-mail': 'Эл. почта',
  Password: 'Пароль',
  'Page not found': 'Страница не найдена',
  'Something went wrong': 'Что-то пошло не так',
  'Please correct the fields marked below.': 'Исправьте отмеченные ниже поля.',
  'Save': 'Сохранить',
  'Cancel': 'Отмена',
};
