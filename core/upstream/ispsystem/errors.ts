// What can go wrong talking to an ISPsystem panel, as typed errors that say whether a retry is safe.
import { ProcessingError } from '../../processing/types.ts';

export interface IspErrorOptions {
  /** The ISPsystem function that was called (`domain.order.api`). */
  func: string;
  /** Repeating the same request may succeed and cannot do anything twice. */
  retryable: boolean;
  /**
   * The panel may or may not have carried out a write (the reply was lost, cut or unreadable):
   * look the object up (by `remoteid`, name) before repeating it.
   */
  outcomeUnknown?: boolean;
}

/** Every error the ISPsystem toolkit throws. Messages and stacks never hold passwords or session ids. */
export class IspError extends Error {
  readonly func: string;
  readonly retryable: boolean;
  readonly outcomeUnknown: boolean;

  constructor(message: string, opts: IspErrorOptions) {
    super(message);
    this.name = new.target.name;
    this.func = opts.func;
    this.retryable = opts.retryable;
    this.outcomeUnknown = opts.outcomeUnknown ?? false;
  }
}

// ---------------------------------------------------------------------------------------------
// Errors the panel reported in the `doc.error` envelope (HTTP 200, PROTOCOLS §1.3).

export interface IspErrorParam {
  name: string;
  type?: string;
  value: string;
}

/** `doc.error` read into plain values. */
export interface IspErrorInfo {
  /** `auth`, `exists`, `missed`, `value`, ... or a module-defined type. */
  type: string;
  /** What the error is about: `badpassword`, `user`, a parameter name, ... */
  object: string;
  /** The `value` param, when the panel names the offending value. */
  value?: string;
  params: IspErrorParam[];
  /** `msg` (falling back to `detail`) with `__object__`-style placeholders filled in. */
  text?: string;
}

/** The panel refused the call with an error envelope. Its own reply is final: retrying gives the same answer. */
export class IspApiError extends IspError {
  readonly type: string;
  readonly object: string;
  readonly value: string | undefined;
  readonly params: readonly IspErrorParam[];
  /** The panel's own words (`msg`), when it sent any. */
  readonly upstreamMessage: string | undefined;

  constructor(message: string, info: IspErrorInfo, opts: Pick<IspErrorOptions, 'func'>) {
    super(message, { func: opts.func, retryable: false });
    this.type = info.type;
    this.object = info.object;
    this.value = info.value;
    this.params = info.params;
    this.upstreamMessage = info.text;
  }
}

/** Wrong user name or password, an expired session, or a key that was already used. A person must fix the credentials. */
export class IspAuthError extends IspApiError {}
/** The object already exists (`exists`; some modules say `exist`). */
export class IspExistsError extends IspApiError {}
/** The object the call refers to is not there (`missed`; `notfound` is accepted too, PROTOCOLS marks it [I]). */
export class IspMissedError extends IspApiError {}
/** A parameter has a value the panel does not accept; `object` names the parameter. */
export class IspValueError extends IspApiError {}
/** The account lacks the rights for the function (`access`, [I]). */
export class IspAccessError extends IspApiError {}

const API_ERROR_BY_TYPE: Record<string, typeof IspApiError> = {
  auth: IspAuthError,
  // ISPsystem's own processing modules report bad credentials with this module-defined type (PROTOCOLS §1.3, S8).
  invalid_login_or_passwd: IspAuthError,
  exists: IspExistsError,
  exist: IspExistsError,
  missed: IspMissedError,
  notfound: IspMissedError,
  value: IspValueError,
  access: IspAccessError,
};

/** The typed error for an error envelope; types nobody mapped stay a plain IspApiError. */
export function apiErrorFrom(info: IspErrorInfo, func: string, describeTarget: string): IspApiError {
  const Class = API_ERROR_BY_TYPE[info.type] ?? IspApiError;
  const what = [info.type, info.object].filter(Boolean).join(' ');
  const said = (info.text ?? (info.value ? `value '${info.value}'` : 'no message')).trim().replace(/[.\s]+$/, '');
  const hint = Class === IspAuthError ? ' Check the user name and password of the server.' : '';
  return new Class(`${describeTarget} refused ${func} (${what || 'unknown error'}): ${said}.${hint}`, info, { func });
}

// ---------------------------------------------------------------------------------------------
// Transport: the request did not produce a readable envelope.

/** No complete reply within the time allowed. For a write the outcome is unknown. */
export class IspTimeoutError extends IspError {
  constructor(
    message: string,
    opts: IspErrorOptions,
    readonly timeoutMs: number,
  ) {
    super(message, opts);
  }
}

/** The panel (or a proxy in front of it) answered with a non-2xx HTTP status. */
export class IspHttpError extends IspError {
  constructor(
    message: string,
    opts: IspErrorOptions,
    readonly status: number,
  ) {
    super(message, opts);
  }
}

/** The reply was not an ISPsystem JSON envelope (HTML login page, cut body, garbage). */
export class IspProtocolError extends IspError {}

/** The connection failed; `code` is the system error code (ECONNREFUSED, ENOTFOUND, ECONNRESET, ...). */
export class IspConnectionError extends IspError {
  constructor(
    message: string,
    opts: IspErrorOptions,
    readonly code: string | undefined,
  ) {
    super(message, opts);
  }
}

/**
 * The processing queue's reading of an error: auth failures wait for a person, the panel's own
 * refusals are permanent, and everything on the way (timeouts, 5xx, garbage) is temporary, because
 * processing modules must be idempotent anyway (see ModuleContext.operation).
 */
export function toProcessingError(err: unknown): ProcessingError {
  if (err instanceof ProcessingError) return err;
  if (err instanceof IspAuthError) return new ProcessingError('auth', err.message, { cause: err });
  if (err instanceof IspApiError) return new ProcessingError('permanent', err.message, { cause: err });
  if (err instanceof IspError) return new ProcessingError('temporary', err.message, { cause: err });
  return new ProcessingError('temporary', err instanceof Error ? err.message : String(err), { cause: err });
}
