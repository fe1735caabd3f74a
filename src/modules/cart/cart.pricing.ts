import type { Config } from '../../core/config';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { amountOf, MAX_AMOUNT } from '../../core/money';
import type { ProductVariant } from '../catalog/catalog.entity';
import { loyaltyService } from '../loyalty';
import type { CartLine } from './cart.entity';

export interface CartPrices {
  subtotal: number;
  /** What the applied points are worth, never more than the subtotal. */
  loyaltyDiscount: number;
  total: number;
}

/** Live prices: a cart always shows today's price; checkout snapshots it into the order. */
export function priceCart(
  config: Config,
  lines: { variant: { id: string }; quantity: number }[],
  variants: (ProductVariant | undefined)[],
  pointsApplied: number,
): CartPrices {
  const priceOf = new Map(variants.filter((v): v is ProductVariant => !!v).map((v) => [v.id, v.priceAmount]));
  const subtotal = lines.reduce((sum, line) => sum + (priceOf.get(line.variant.id) ?? 0) * line.quantity, 0);
  const loyaltyDiscount = Math.min(subtotal, loyaltyService.discountFor(config.loyalty, pointsApplied));
  return { subtotal, loyaltyDiscount, total: subtotal - loyaltyDiscount };
}

/**
 * Refuses a change that would take the cart's subtotal past what the API can show (a GraphQL
 * Int): the cart would become unreadable and its order impossible to write.
 */
export function tooLargeForCart(lines: CartLine[], path: (string | number)[]): Result<void> {
  const subtotal = amountOf(lines.map((l) => ({ price: l.variant.unwrap().priceAmount, quantity: l.quantity })));
  if (subtotal <= MAX_AMOUNT) return ok();
  return fail(ErrorCode.INVALID_QUANTITY, `A cart comes to at most ${MAX_AMOUNT} minor units: this would make it ${subtotal}.`, path);
}
