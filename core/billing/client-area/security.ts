// The client's own account security (password, sessions, two-step sign-in) and finishing a sign-in
// that a control panel vouched for: core/auth's rules, reached by the portal through `clientArea`.
export {
  changePassword,
  confirmTwoFactor,
  disableOwnTwoFactor,
  endAllSessions,
  endOneSession,
  endOtherSessions,
  renewRecoveryCodes,
  sessionsOf,
  startTwoFactor,
  twoFactorEnrolment,
  twoFactorStatus,
  type AccountActor,
  type SessionListItem,
  type TwoFactorEnrolment,
  type TwoFactorStatus,
} from '../../auth/account-security.ts';
export { changePasswordSchema, confirmCodeSchema, disableTwoFactorSchema, accountActor, TOTP_ISSUER } from '../../admin/account.ts';
export { completeSignIn } from '../../auth/second-step.ts';
/** The address a request came from (audit entries of sign-ins that have no user yet). */
export { clientIp as requestIp } from '../../http/session.ts';
