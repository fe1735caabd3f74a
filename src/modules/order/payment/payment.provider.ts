import { randomUUID } from 'node:crypto';

export type Authorization = { ok: true; reference: string } | { ok: false; reason: string };

/**
 * What checkout needs from a card processor. A real provider implements this and is registered
 * with `usePaymentProvider`; checkout, pickup, cancel and returns do not change.
 */
export interface PaymentProvider {
  authorize(request: { amount: number; currencyCode: string; token?: string | null; orderId: string }): Promise<Authorization>;
  /** `idempotencyKey`: the same on every retry of one capture; the provider moves the money once. */
  capture(reference: string, amount: number, idempotencyKey?: string): Promise<void>;
  void(reference: string, idempotencyKey?: string): Promise<void>;
  refund(reference: string, amount: number, idempotencyKey?: string): Promise<void>;
}

/** The built-in test processor: authorizes any token but `tok_decline`. */
export class TestCardProvider implements PaymentProvider {
  async authorize(request: { token?: string | null }): Promise<Authorization> {
    if (request.token === 'tok_decline') return { ok: false, reason: 'The card was declined.' };
    return { ok: true, reference: `test_${randomUUID()}` };
  }
  async capture(): Promise<void> {}
  async void(): Promise<void> {}
  async refund(): Promise<void> {}
}

let cardProvider: PaymentProvider = new TestCardProvider();

export const paymentProvider = (): PaymentProvider => cardProvider;

export function usePaymentProvider(provider: PaymentProvider): void {
  cardProvider = provider;
}
