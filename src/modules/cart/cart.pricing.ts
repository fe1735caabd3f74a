import type { Address } from '../../core/address';
import type { RequestContext, ServiceContext } from '../../core/context';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { amountOf, MAX_AMOUNT } from '../../core/money';
import type { ProductVariant } from '../catalog/catalog.entity';
import type { Location } from '../location/location.entity';
import { pricingService, type CartToPrice, type Priced } from '../pricing';
import { FulfillmentMethod, type Cart, type CartLine } from './cart.entity';

/**
 * Where the cart's tax comes from: the pickup or in-store location's address, or the shipping
 * address; none before a fulfilment is chosen.
 */
export function taxAddressOf(cart: Cart, location: Pick<Location, 'address'> | undefined): Address | undefined {
  if (!cart.fulfillmentMethod) return undefined;
  return cart.fulfillmentMethod === FulfillmentMethod.SHIP ? cart.shippingAddress : location?.address;
}

/** A cart as the pricing engine takes it: live prices (a cart always shows today's price; checkout copies it into the order). */
export function cartToPrice(cart: Cart, lines: CartLine[], variants: (ProductVariant | undefined)[], location?: Pick<Location, 'address'>): CartToPrice {
  const priced = lines.flatMap((line, i) => (variants[i] ? [{ key: line.id, quantity: line.quantity, variant: variants[i] }] : []));
  return {
    lines: priced,
    customerId: cart.customer?.id,
    codes: cart.discountCodes ?? [],
    pointsApplied: cart.loyaltyPointsApplied,
    taxAddress: taxAddressOf(cart, location),
  };
}

/** Prices a cart inside a change (its lines read with their variants). */
export function priceLockedCart(tx: ServiceContext, cart: Cart, lines: CartLine[], location?: Location): Promise<Priced> {
  return pricingService.price(
    tx,
    cartToPrice(
      cart,
      lines,
      lines.map((l) => l.variant.unwrap()),
      location,
    ),
  );
}

const priced = new WeakMap<object, Map<string, Promise<Priced>>>();

/**
 * The prices of a cart for the response, computed once per request whatever the number of fields
 * (and lines) that show them. Reads the lines and variants through the request's loaders, and the
 * fulfilment location only when some tax rate could apply.
 */
export function pricesOf(ctx: RequestContext, cart: Cart): Promise<Priced> {
  let byCart = priced.get(ctx.loaders);
  if (!byCart) priced.set(ctx.loaders, (byCart = new Map()));
  let prices = byCart.get(cart.id);
  if (!prices) byCart.set(cart.id, (prices = computePrices(ctx, cart)));
  return prices;
}

async function computePrices(ctx: RequestContext, cart: Cart): Promise<Priced> {
  const lines = await ctx.loaders.linesByCart.load(cart.id);
  const variants = await Promise.all(lines.map((l) => variantOf(l, ctx)));
  const storeId = cart.fulfillmentMethod && cart.fulfillmentMethod !== FulfillmentMethod.SHIP ? cart.fulfillmentLocation?.id : undefined;
  const location = storeId && (await pricingService.taxesApply(ctx)) ? await ctx.loaders.locationById.load(storeId) : undefined;
  return pricingService.price(ctx, cartToPrice(cart, lines, variants, location));
}

/** Lines are read with their variants (see linesByCart); the loader is the fallback for any that are not. */
export async function variantOf(line: CartLine, ctx: RequestContext): Promise<ProductVariant | undefined> {
  return line.variant.isInitialized() ? line.variant.unwrap() : ctx.loaders.variantById.load(line.variant.id);
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
