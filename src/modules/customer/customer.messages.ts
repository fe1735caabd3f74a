import type { ServiceContext } from '../../core/context';
import type { Customer } from './customer.entity';

/**
 * Messages to a customer that are about their account, not an order. Each is written in the
 * caller's transaction, so it goes out (after commit) exactly when the change it reports is made.
 */
export const customerMessages = {
  passwordReset(_tx: ServiceContext, _customer: Customer, _token: string, _expiresAt: Date): void {
    // Delivered by e-mail once outgoing messages are available.
  },
};
