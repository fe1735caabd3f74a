import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../core/context';
import { toPayload } from '../../core/payload';
import { Money } from '../../core/money';
import { ProductVariant } from '../catalog/catalog.entity';
import { Customer } from '../customer/customer.entity';
import { Location } from '../location/location.entity';
import { AppliedDiscount, TaxLine, type Priced } from '../pricing';
import { Cart, CartLine } from './cart.entity';
import { pricesOf, variantOf } from './cart.pricing';
import { assertCartAccess, cartService } from './cart.service';
import {
  CartContact,
  CartContactInput,
  CartCreateInput,
  CartFulfillment,
  CartFulfillmentInput,
  CartLineInput,
  CartLineUpdateInput,
  CartPayload,
} from './cart.types';

const payload = (result: Parameters<typeof toPayload<'cart', Cart>>[0]): CartPayload => toPayload(result, 'cart');

@Resolver(() => Cart)
export class CartResolver {
  @Query(() => Cart, { nullable: true, description: "Anyone holding the cart id may read a guest cart; a customer's cart only its owner or staff." })
  async cart(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Cart | undefined> {
    const cart = await ctx.loaders.cartById.load(id);
    if (cart) assertCartAccess(ctx.actor, cart);
    return cart;
  }

  @Mutation(() => CartPayload)
  async cartCreate(@Ctx() ctx: RequestContext, @Arg('input', () => CartCreateInput, { nullable: true }) input?: CartCreateInput): Promise<CartPayload> {
    // Per client address, before any SQL: guests need no account, so the address is all there is to limit.
    const refused = ctx.actor.kind === 'guest' ? await ctx.limits.take('guestCart', ctx.clientAddress) : undefined;
    return payload(refused ?? (await cartService.create(ctx, input ?? {})));
  }

  @Mutation(() => CartPayload)
  async cartLinesAdd(
    @Ctx() ctx: RequestContext,
    @Arg('cartId', () => ID) cartId: string,
    @Arg('lines', () => [CartLineInput]) lines: CartLineInput[],
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
  ): Promise<CartPayload> {
    return payload(await cartService.addLines(ctx, cartId, lines, expectedVersion));
  }

  @Mutation(() => CartPayload, { description: 'Quantity 0 removes the line.' })
  async cartLinesUpdate(
    @Ctx() ctx: RequestContext,
    @Arg('cartId', () => ID) cartId: string,
    @Arg('lines', () => [CartLineUpdateInput]) lines: CartLineUpdateInput[],
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
  ): Promise<CartPayload> {
    return payload(await cartService.updateLines(ctx, cartId, lines, expectedVersion));
  }

  @Mutation(() => CartPayload)
  async cartLinesRemove(
    @Ctx() ctx: RequestContext,
    @Arg('cartId', () => ID) cartId: string,
    @Arg('lineIds', () => [ID]) lineIds: string[],
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
  ): Promise<CartPayload> {
    return payload(await cartService.removeLines(ctx, cartId, lineIds, expectedVersion));
  }

  @Mutation(() => CartPayload)
  async cartSetFulfillment(
    @Ctx() ctx: RequestContext,
    @Arg('cartId', () => ID) cartId: string,
    @Arg('input', () => CartFulfillmentInput) input: CartFulfillmentInput,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
  ): Promise<CartPayload> {
    return payload(await cartService.setFulfillment(ctx, cartId, input, expectedVersion));
  }

  @Mutation(() => CartPayload, { description: 'Points to redeem at checkout (0 clears); 100 points = 1.00 of the currency by default.' })
  async cartApplyLoyaltyPoints(
    @Ctx() ctx: RequestContext,
    @Arg('cartId', () => ID) cartId: string,
    @Arg('points', () => Int) points: number,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
  ): Promise<CartPayload> {
    return payload(await cartService.applyLoyaltyPoints(ctx, cartId, points, expectedVersion));
  }

  @Mutation(() => CartPayload, { description: 'The same code works on every channel the promotion allows.' })
  async cartApplyDiscountCode(
    @Ctx() ctx: RequestContext,
    @Arg('cartId', () => ID) cartId: string,
    @Arg('code', () => String) code: string,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
  ): Promise<CartPayload> {
    return payload(await cartService.applyDiscountCode(ctx, cartId, code, expectedVersion));
  }

  @Mutation(() => CartPayload)
  async cartRemoveDiscountCode(
    @Ctx() ctx: RequestContext,
    @Arg('cartId', () => ID) cartId: string,
    @Arg('code', () => String) code: string,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
  ): Promise<CartPayload> {
    return payload(await cartService.removeDiscountCode(ctx, cartId, code, expectedVersion));
  }

  @Mutation(() => CartPayload, { description: "A guest cart's email (required to check out) and phone." })
  async cartSetContact(
    @Ctx() ctx: RequestContext,
    @Arg('cartId', () => ID) cartId: string,
    @Arg('input', () => CartContactInput) input: CartContactInput,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
  ): Promise<CartPayload> {
    return payload(await cartService.setContact(ctx, cartId, input, expectedVersion));
  }

  @FieldResolver(() => CartContact, { nullable: true })
  contact(@Root() cart: Cart): CartContact | undefined {
    return cart.contactEmail || cart.contactPhone ? { email: cart.contactEmail, phone: cart.contactPhone } : undefined;
  }

  @FieldResolver(() => Customer, { nullable: true })
  async customer(@Root() cart: Cart, @Ctx() ctx: RequestContext): Promise<Customer | undefined> {
    return cart.customer ? ctx.loaders.customerById.load(cart.customer.id) : undefined;
  }

  @FieldResolver(() => [CartLine])
  lines(@Root() cart: Cart, @Ctx() ctx: RequestContext): Promise<CartLine[]> {
    return ctx.loaders.linesByCart.load(cart.id);
  }

  @FieldResolver(() => Int)
  async totalQuantity(@Root() cart: Cart, @Ctx() ctx: RequestContext): Promise<number> {
    return (await ctx.loaders.linesByCart.load(cart.id)).reduce((sum, line) => sum + line.quantity, 0);
  }

  @FieldResolver(() => CartFulfillment, { nullable: true })
  fulfillment(@Root() cart: Cart): CartFulfillment | undefined {
    if (!cart.fulfillmentMethod) return undefined;
    return { method: cart.fulfillmentMethod, locationId: cart.fulfillmentLocation?.id, shippingAddress: cart.shippingAddress };
  }

  @FieldResolver(() => [Location], { description: 'Stores that could hand over every line of this cart right now.' })
  async pickupLocations(@Root() cart: Cart, @Ctx() ctx: RequestContext): Promise<Location[]> {
    const [lines, stores] = await Promise.all([ctx.loaders.linesByCart.load(cart.id), ctx.loaders.pickupStores.load('all')]);
    const levels = await ctx.loaders.stockByVariant.loadMany(lines.map((l) => l.variant.id));
    const availableAt = (storeId: string, i: number) => {
      const forVariant = levels[i];
      if (forVariant instanceof Error) throw forVariant;
      return forVariant.find((l) => l.locationId === storeId)?.available ?? 0;
    };
    return stores.filter((store) => lines.every((line, i) => availableAt(store.id, i) >= line.quantity));
  }

  @FieldResolver(() => Money)
  async subtotal(@Root() cart: Cart, @Ctx() ctx: RequestContext): Promise<Money> {
    return money(ctx, (await pricesOf(ctx, cart)).subtotal);
  }

  @FieldResolver(() => Money)
  async loyaltyDiscount(@Root() cart: Cart, @Ctx() ctx: RequestContext): Promise<Money> {
    return money(ctx, (await pricesOf(ctx, cart)).loyaltyDiscount);
  }

  @FieldResolver(() => [AppliedDiscount])
  async discounts(@Root() cart: Cart, @Ctx() ctx: RequestContext): Promise<AppliedDiscount[]> {
    return (await pricesOf(ctx, cart)).discounts.map((d) => ({ promotionId: d.promotionId, title: d.title, code: d.code, amount: money(ctx, d.amount) }));
  }

  @FieldResolver(() => Money)
  async discountTotal(@Root() cart: Cart, @Ctx() ctx: RequestContext): Promise<Money> {
    return money(ctx, (await pricesOf(ctx, cart)).discountTotal);
  }

  @FieldResolver(() => [TaxLine])
  async taxLines(@Root() cart: Cart, @Ctx() ctx: RequestContext): Promise<TaxLine[]> {
    return (await pricesOf(ctx, cart)).taxLines.map((t) => ({ name: t.name, rateBasisPoints: t.rateBasisPoints, amount: money(ctx, t.amount) }));
  }

  @FieldResolver(() => Money)
  async taxTotal(@Root() cart: Cart, @Ctx() ctx: RequestContext): Promise<Money> {
    return money(ctx, (await pricesOf(ctx, cart)).taxTotal);
  }

  @FieldResolver(() => Boolean, { description: "True when prices already include tax (the deployment's PRICES_INCLUDE_TAX)." })
  taxesIncluded(@Ctx() ctx: RequestContext): boolean {
    return ctx.config.pricesIncludeTax;
  }

  @FieldResolver(() => Money, { description: 'subtotal − discountTotal − loyaltyDiscount (+ taxTotal when taxes are not included).' })
  async total(@Root() cart: Cart, @Ctx() ctx: RequestContext): Promise<Money> {
    return money(ctx, (await pricesOf(ctx, cart)).total);
  }
}

const money = (ctx: RequestContext, amount: number): Money => new Money(amount, ctx.config.currencyCode);

/** The line's share of its cart's prices (the cart is priced once for all its lines). */
async function linePrices(line: CartLine, ctx: RequestContext): Promise<Priced['lines'][number] | undefined> {
  const cart = line.cart.isInitialized() ? line.cart.unwrap() : await ctx.loaders.cartById.load(line.cart.id);
  return cart ? (await pricesOf(ctx, cart)).lines.find((l) => l.key === line.id) : undefined;
}

@Resolver(() => CartLine)
export class CartLineResolver {
  @FieldResolver(() => ProductVariant)
  async variant(@Root() line: CartLine, @Ctx() ctx: RequestContext): Promise<ProductVariant> {
    return (await variantOf(line, ctx))!;
  }

  @FieldResolver(() => Money)
  async unitPrice(@Root() line: CartLine, @Ctx() ctx: RequestContext): Promise<Money> {
    const variant = await variantOf(line, ctx);
    return new Money(variant!.priceAmount, ctx.config.currencyCode);
  }

  @FieldResolver(() => Money, { description: 'unitPrice × quantity.' })
  async subtotal(@Root() line: CartLine, @Ctx() ctx: RequestContext): Promise<Money> {
    const variant = await variantOf(line, ctx);
    return money(ctx, variant!.priceAmount * line.quantity);
  }

  @FieldResolver(() => Money, { description: "The line's share of the cart's discounts." })
  async discountTotal(@Root() line: CartLine, @Ctx() ctx: RequestContext): Promise<Money> {
    return money(ctx, (await linePrices(line, ctx))?.discountTotal ?? 0);
  }

  @FieldResolver(() => Money, { description: "The line's share of the points applied." })
  async loyaltyDiscount(@Root() line: CartLine, @Ctx() ctx: RequestContext): Promise<Money> {
    return money(ctx, (await linePrices(line, ctx))?.loyaltyDiscount ?? 0);
  }

  @FieldResolver(() => Money)
  async taxTotal(@Root() line: CartLine, @Ctx() ctx: RequestContext): Promise<Money> {
    return money(ctx, (await linePrices(line, ctx))?.taxTotal ?? 0);
  }

  @FieldResolver(() => Money, { description: 'subtotal − discountTotal − loyaltyDiscount (+ taxTotal when taxes are not included).' })
  async total(@Root() line: CartLine, @Ctx() ctx: RequestContext): Promise<Money> {
    return money(ctx, (await linePrices(line, ctx))?.total ?? 0);
  }
}

@Resolver(() => CartFulfillment)
export class CartFulfillmentResolver {
  @FieldResolver(() => Location, { nullable: true })
  async location(@Root() fulfillment: CartFulfillment, @Ctx() ctx: RequestContext): Promise<Location | undefined> {
    return fulfillment.locationId ? ctx.loaders.locationById.load(fulfillment.locationId) : undefined;
  }
}

@Resolver(() => Customer)
export class CustomerCartResolver {
  @FieldResolver(() => Cart, { nullable: true, description: 'The one open cart of this customer, the same on every channel.' })
  activeCart(@Root() customer: Customer, @Ctx() ctx: RequestContext): Promise<Cart | undefined> {
    return ctx.loaders.activeCartByCustomer.load(customer.id);
  }
}
