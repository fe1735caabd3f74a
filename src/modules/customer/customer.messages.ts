import type { ServiceContext } from '../../core/context';
import { InternalEventType, outbox } from '../outbox';
import type { Customer } from './customer.entity';

/**
 * Messages to a customer that are about their account, not an order. Each is written in the
 * caller's transaction, so it goes out (after commit) exactly when the change it reports is made.
 */
export const customerMessages = {
  /**
   * The reset e-mail. The raw token is in the event's private data: no webhook hears this
   * internal event, and private data never leaves in a webhook anyway.
   */
  passwordReset(tx: ServiceContext, customer: Customer, token: string, expiresAt: Date): void {
    outbox.record(tx, {
      type: InternalEventType.PASSWORD_RESET,
      subjectId: customer.id,
      data: { customer: { id: customer.id }, private: { resetToken: token, expiresAt } },
    });
  },
};
