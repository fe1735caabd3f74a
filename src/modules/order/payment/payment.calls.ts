import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../../core/config';
import type { Orm } from '../../../core/db/orm';
import type { Attempt, QueueRow, Settlement, WorkQueue } from '../../outbox';
import { Order, OrderEvent, Payment } from '../order.entity';
import { paymentProvider } from './payment.provider';

export enum PaymentCallKind {
  CAPTURE = 'CAPTURE',
  REFUND = 'REFUND',
  /** Gives back an authorization of an order cancelled or expired (amount 0). */
  VOID = 'VOID',
}

/**
 * A call to the card provider that must happen after commit: a capture at pickup or shipment, a
 * refund on return, the void of a cancelled or expired order's authorization. Written in the transaction that decided it, so it is made if and only if the
 * change was committed; retried with its own id as the provider's idempotency key, so the money
 * moves once however often it is tried.
 */
@Entity()
@Index({ name: 'payment_call_due', expression: `create index "payment_call_due" on "payment_call" ("next_attempt_at") where "status" = 'PENDING'` })
export class PaymentCall {
  [OptionalProps]?: 'attempts' | 'createdAt' | 'status';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Order, { ref: true })
  order: Ref<Order>;

  @ManyToOne(() => Payment, { ref: true, index: false })
  payment: Ref<Payment>;

  @Enum({ items: () => PaymentCallKind, nativeEnumName: 'payment_call_kind' })
  kind: PaymentCallKind;

  @Property({ length: 100 })
  providerReference: string;

  @Property()
  amount: number;

  /** PENDING → DONE, or FAILED after the last attempt. */
  @Property({ length: 10 })
  status: string = 'PENDING';

  @Property()
  attempts: number = 0;

  @Property({ nullable: true })
  lastResponseStatus?: number;

  @Property({ length: 500, nullable: true })
  lastError?: string;

  @Property({ type: 'timestamptz', nullable: true })
  lastAttemptAt?: Date;

  @Property({ type: 'timestamptz', nullable: true })
  nextAttemptAt?: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  completedAt?: Date;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** Records a money call in the caller's transaction; the outbox makes it after commit. */
export function recordPaymentCall(
  tx: { em: EntityManager },
  call: { orderId: string; paymentId: string; kind: PaymentCallKind; reference: string; amount: number },
): void {
  tx.em.create(PaymentCall, { order: call.orderId, payment: call.paymentId, kind: call.kind, providerReference: call.reference, amount: call.amount });
}

const VERB = { CAPTURE: 'capture', REFUND: 'refund', VOID: 'void' } as const;

/**
 * Money calls as a queue of the outbox dispatcher. The order's timeline says when a call failed
 * (and will be tried again, or has been given up) and when it went through after failing.
 */
export function paymentCallQueue(orm: Orm, config: Config): WorkQueue {
  return {
    name: 'payment',
    table: 'payment_call',
    doneStatus: 'DONE',
    leaseMs: 3 * config.outbox.webhookTimeoutMs + 5_000,
    maxAttempts: config.outbox.webhookMaxAttempts,
    retryBaseMs: config.outbox.retryBaseMs,
    async perform(row: QueueRow): Promise<Attempt> {
      const provider = paymentProvider();
      const reference = String(row.provider_reference);
      const amount = Number(row.amount);
      if (row.kind === PaymentCallKind.CAPTURE) await provider.capture(reference, amount, row.id);
      else if (row.kind === PaymentCallKind.REFUND) await provider.refund(reference, amount, row.id);
      else await provider.void(reference, row.id);
      return { ok: true };
    },
    async settled(em: EntityManager, row: QueueRow, attempt: Attempt, settlement: Settlement) {
      const verb = VERB[row.kind as PaymentCallKind];
      let kind: string | undefined;
      let message: string | undefined;
      if (settlement === 'failed') {
        kind = `PAYMENT_${row.kind}_FAILED`;
        message = `The ${verb} of ${row.amount} failed ${row.attempts} time(s) and was given up: ${attempt.error ?? 'no reason given'}.`;
      } else if (settlement === 'retry' && row.attempts === 1) {
        kind = `PAYMENT_${row.kind}_RETRYING`;
        message = `The ${verb} of ${row.amount} failed (${attempt.error ?? 'no reason given'}); it is being retried.`;
      } else if (settlement === 'done' && row.attempts > 1) {
        kind = `PAYMENT_${row.kind}_DONE`;
        message = `The ${verb} of ${row.amount} went through at attempt ${row.attempts}.`;
      }
      if (!kind) return;
      const order = await em.findOneOrFail(Order, { id: String(row.order_id) });
      em.create(OrderEvent, { order, kind, channel: order.channel, locationId: order.location.id, message, at: new Date() });
      await em.flush();
    },
  };
}
