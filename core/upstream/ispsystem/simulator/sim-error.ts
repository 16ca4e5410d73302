// The errors a simulated function throws, written as the `doc.error` envelope of PROTOCOLS §1.3.
import { el, type SimNode } from './node.ts';

export interface SimErrorOptions {
  /** The offending value (written as `<param name="value">`). */
  value?: string;
  /** The human-readable text (`msg` and `detail`); may use `__object__`/`__value__` placeholders. */
  msg?: string;
  /** More params, written after `object` and `value`. */
  params?: Record<string, string>;
}

/**
 * Throw from a simulated function to answer with an error envelope (HTTP 200).
 *
 * @example
 * throw new SimError('exists', 'user', { value: 'u1' });   // Type: 'exists' Object: 'user' Value: 'u1'
 */
export class SimError extends Error {
  constructor(
    readonly type: string,
    readonly object: string,
    readonly opts: SimErrorOptions = {},
  ) {
    super(opts.msg ?? defaultMessage(type, object, opts.value));
    this.name = 'SimError';
  }
}

function defaultMessage(type: string, object: string, value: string | undefined): string {
  const v = value !== undefined ? ` '${value}'` : '';
  switch (type) {
    case 'auth':
      return 'Invalid username or password';
    case 'exists':
      return `The object '${object}'${v} already exists`;
    case 'missed':
      return `The object '${object}'${v} was not found`;
    case 'value':
      return `Invalid value of the field '${object}'${v}`;
    case 'access':
      return `Insufficient rights for '${object}'`;
    default:
      return `Error '${type}' on '${object}'${v}`;
  }
}

/**
 * The error element in the shape of the real ISPmanager 6 reply quoted in §1.3: attributes
 * type/object/lang, `param` children (object, value, then the extra ones), `detail` and `msg`.
 */
export function errorNode(err: SimError, lang: string): SimNode {
  return el(
    'error',
    { type: err.type, object: err.object, lang },
    el('param', { name: 'object', type: 'msg' }, err.object),
    err.opts.value !== undefined && el('param', { name: 'value' }, err.opts.value),
    ...Object.entries(err.opts.params ?? {}).map(([name, value]) => el('param', { name }, value)),
    el('detail', null, err.message),
    el('msg', null, err.message),
  );
}
