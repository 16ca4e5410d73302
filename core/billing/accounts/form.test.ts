// The shared billing-account form: what comes back after an error or a package move, and the two package lists.
import { describe, expect, it } from 'vitest';
import { billableLists, keptValues, movedServices, type AccountFormService } from './form.ts';

const service = (id: number, over: Partial<AccountFormService> = {}): AccountFormService => ({ id, packageName: 'VPS', label: `web${id}`, status: 'active', closed: false, paidBy: null, paidById: null, ...over });

describe('the billing-account form', () => {
  it('keeps what was typed except the card number, CVV and pass-phrase, and says which digits the number ended in', () => {
    const kept = keptValues({ nameOnCard: 'Ada', cardNumber: '4242 4242 4242 4241', cvv: '123', passphrase: 'secret words', routingNumber: '111000025' });
    expect(kept.values).toEqual({ nameOnCard: 'Ada', routingNumber: '111000025' });
    expect(kept.typedLast4).toBe('4241');
    expect(keptValues({ cardNumber: '42' }).typedLast4).toBeNull();
  });

  it('moves highlighted packages between "Not Billable For" and "Billable For" and drops the move fields', () => {
    expect(movedServices({ serviceIds: ['1'], addServiceIds: ['2', '3'] })).toBeNull();
    const added = movedServices({ serviceIds: ['1'], addServiceIds: ['2', '3', '1'], move: 'add', label: 'x' });
    expect(added).toEqual({ serviceIds: ['1', '2', '3'], label: 'x' });
    expect(movedServices({ serviceIds: ['1', '2', '3'], removeServiceIds: '2', move: 'remove' })).toEqual({ serviceIds: ['1', '3'] });
    expect(movedServices({ serviceIds: '1', addServiceIds: ['0', 'x', '9999999999999'], move: 'add' })).toEqual({ serviceIds: ['1'] });
  });

  it('splits the services into the two lists, leaving out closed ones the account does not pay for', () => {
    const services = [service(1), service(2), service(3, { status: 'cancelled', closed: true }), service(4, { status: 'expired', closed: true })];
    const lists = billableLists(services, { serviceIds: ['2', '4'] });
    expect(lists.billable.map((s) => s.id)).toEqual([2, 4]);
    expect(lists.notBillable.map((s) => s.id)).toEqual([1]);
  });
});
