// How upstream failures reach the operations queue: what is worth retrying, what needs a person.
import { ProcessingError, ispsystem } from '../../../core/plugins/api.ts';
import { isInsufficientBalance, isWhoisUnavailable } from '../upstream/billmanager.ts';

/**
 * The toolkit's reading (auth → auth, the panel's refusals → permanent, the rest → temporary),
 * with two refusals that go away by themselves or by the operator's hand and so are retried: a
 * balance too low to pay (the operator tops it up) and a whois that does not answer ("Try later").
 */
export function toModuleError(err: unknown, server: string): ProcessingError {
  if (err instanceof ProcessingError) return err;
  if (isInsufficientBalance(err)) {
    const said = err instanceof ispsystem.IspApiError && err.upstreamMessage ? ` The upstream said: ${err.upstreamMessage}` : '';
    return new ProcessingError('temporary', `The reseller account at ${server} has not enough money for this. Top up its balance; the operation is retried.${said}`, { cause: err });
  }
  if (isWhoisUnavailable(err)) return new ProcessingError('temporary', `Try later: the registrar behind ${server} cannot reach the whois server.`, { cause: err });
  return ispsystem.toProcessingError(err);
}
