import type { Config } from '../../core/config';
import type { ProductVariant } from '../catalog/catalog.entity';
import { loyaltyService } from '../loyalty';

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
