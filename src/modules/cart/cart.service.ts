import { LockMode } from '@mikro-orm/core';
import type { Actor } from '../../core/auth/actor';
import { requireStaff } from '../../core/auth/guards';
import { addressProblem, normalizeAddress } from '../../core/address';
import { requestLoaders, type ServiceContext } from '../../core/context';
import { transactional } from '../../core/db/transaction';
import { isUniqueViolation } from '../../core/db/violations';
import { ErrorCode, fail, forbidden, ok, unauthenticated, type Result } from '../../core/errors';
import { isUuid } from '../../core/loader';
import { ProductVariant } from '../catalog/catalog.entity';
import { parseEmail, parsePhone } from '../../core/contact';
import { Customer, SavedAddress } from '../customer/customer.entity';
import { Location, LocationKind } from '../location/location.entity';
import { loyaltyService } from '../loyalty';
import { Cart, CartLine, CartStatus, FulfillmentMethod } from './cart.entity';
import { normalizeCode, pricingService } from '../pricing';
import { readLines, resolveLineInputs } from './cart.lines';
import { cartToPrice, priceLockedCart, tooLargeForCart } from './cart.pricing';
import { abandonCartsIdleSince, eraseCartsOf, linesAndRequestedVariants, lockCart, openCart, type LockedCart, type LockOptions } from './cart.sql';
import type { CartContactInput, CartCreateInput, CartFulfillmentInput, CartLineInput, CartLineUpdateInput } from './cart.types';

/** A change of a locked cart; `read` holds what the locking statement read for it. */
type CartChange = (tx: ServiceContext, cart: Cart, lines: CartLine[], read: LockedCart) => Promise<Result<void>>;

/** Who may use a cart: anyone holding a guest cart's id; a customer's cart only its owner and staff. */
export function assertCartAccess(actor: Actor, cart: Cart): void {
  if (!cart.customer || actor.kind === 'staff' || actor.kind === 'system') return;
  if (actor.kind === 'customer' && actor.customerId === cart.customer.id) return;
  if (actor.kind === 'guest') throw unauthenticated("Sign in to use this customer's cart.");
  throw forbidden('This cart belongs to another customer.');
}

/** The store of a staff member, the default location of a counter sale. */
const staffLocationOf = (ctx: ServiceContext): string | undefined => (ctx.actor.kind === 'staff' ? (ctx.actor.locationId ?? undefined) : undefined);

const notFound = () => fail(ErrorCode.NOT_FOUND, 'No cart has this id.', ['cartId']);

export class CartService {
  /**
   * Creates a cart, or — for a customer who already has one — adds to the customer's one ACTIVE
   * cart, so every channel keeps building the same cart. Staff may create a cart for a customer.
   */
  async create(ctx: ServiceContext, input: CartCreateInput = {}): Promise<Result<Cart>> {
    const owner = await this.cartOwnerFor(ctx, input.customerId);
    if (!owner.ok) return owner;
    const customerId = owner.value;
    const inputs = input.lines ?? [];
    if (inputs.length === 0) {
      // A single statement: no transaction around it.
      const cart = await openCart(ctx, customerId);
      primeCart(ctx, cart, isNew(cart) ? [] : undefined);
      return ok(cart);
    }
    let lines: CartLine[] = [];
    const result = await transactional(ctx, async (tx) => {
      const cart = await openCart(tx, customerId);
      let found: ProductVariant[] | undefined;
      if (isNew(cart)) lines = [];
      else ({ lines, variants: found } = await linesAndRequestedVariants(tx, cart.id, inputs));
      const added = await this.addToLines(tx, cart, lines, inputs, ['input', 'lines'], found);
      if (!added.ok) return added;
      await tx.em.flush();
      return ok(cart);
    });
    if (result.ok) primeCart(ctx, result.value, lines);
    return result;
  }

  /** The customer a new cart belongs to (undefined for a guest cart), or why it can't be made. */
  private async cartOwnerFor(ctx: ServiceContext, requested: string | undefined | null): Promise<Result<string | undefined>> {
    const { actor } = ctx;
    if (actor.kind === 'customer') {
      if (requested && requested !== actor.customerId) throw forbidden('A customer can create a cart only for themselves.');
      return ok(actor.customerId);
    }
    if (!requested) return ok(undefined);
    if (actor.kind === 'guest') throw unauthenticated('Sign in to create a cart for a customer.');
    requireStaff(ctx);
    const exists = isUuid(requested) && (await ctx.em.count(Customer, { id: requested })) > 0;
    return exists ? ok(requested) : fail(ErrorCode.NOT_FOUND, 'No customer has this id.', ['input', 'customerId']);
  }

  addLines(ctx: ServiceContext, cartId: string, inputs: CartLineInput[], expectedVersion?: number | null): Promise<Result<Cart>> {
    if (inputs.length === 0) return Promise.resolve(fail(ErrorCode.INVALID_INPUT, 'Give at least one line.', ['lines']));
    return this.mutate(ctx, cartId, expectedVersion, (tx, cart, lines, read) => this.addToLines(tx, cart, lines, inputs, ['lines'], read.requested), {
      prime: true,
      requested: inputs,
    });
  }

  /** Quantity 0 removes the line. */
  updateLines(ctx: ServiceContext, cartId: string, updates: CartLineUpdateInput[], expectedVersion?: number | null): Promise<Result<Cart>> {
    return this.mutate(ctx, cartId, expectedVersion, async (tx, _cart, lines) => {
      const max = tx.config.maxLineQuantity;
      const removed = new Set<CartLine>();
      for (const [i, update] of updates.entries()) {
        const line = lines.find((l) => l.id === update.lineId);
        if (!line) return fail(ErrorCode.NOT_FOUND, 'This cart has no line with this id.', ['lines', i, 'lineId']);
        if (!Number.isInteger(update.quantity) || update.quantity < 0 || update.quantity > max) {
          return fail(ErrorCode.INVALID_QUANTITY, `A quantity is a whole number from 0 (remove) to ${max}.`, ['lines', i, 'quantity']);
        }
        if (update.quantity === 0) {
          tx.em.remove(line);
          removed.add(line);
        } else line.quantity = update.quantity;
      }
      return tooLargeForCart(
        lines.filter((l) => !removed.has(l)),
        ['lines'],
      );
    });
  }

  removeLines(ctx: ServiceContext, cartId: string, lineIds: string[], expectedVersion?: number | null): Promise<Result<Cart>> {
    return this.mutate(ctx, cartId, expectedVersion, async (tx, _cart, lines) => {
      for (const [i, lineId] of lineIds.entries()) {
        const line = lines.find((l) => l.id === lineId);
        if (!line) return fail(ErrorCode.NOT_FOUND, 'This cart has no line with this id.', ['lineIds', i]);
        tx.em.remove(line);
      }
      return ok();
    });
  }

  async setFulfillment(ctx: ServiceContext, cartId: string, given: CartFulfillmentInput, expectedVersion?: number | null): Promise<Result<Cart>> {
    let chosen: Location | undefined;
    // A saved address stands for a typed one; whose it is is checked once the cart is locked.
    let saved: SavedAddress | undefined;
    if (given.addressId) {
      if (given.method !== FulfillmentMethod.SHIP || given.shippingAddress) {
        return fail(ErrorCode.INVALID_INPUT, 'addressId is for shipping, instead of shippingAddress.', ['input', 'addressId']);
      }
      saved = (isUuid(given.addressId) && (await ctx.em.findOne(SavedAddress, { id: given.addressId }))) || undefined;
      if (!saved) return fail(ErrorCode.NOT_FOUND, 'No saved address has this id.', ['input', 'addressId']);
    }
    const input: CartFulfillmentInput = saved ? { ...given, shippingAddress: saved.address } : given;
    // What the cart holds if every check below passes is known from the input alone: the statement
    // that locks the cart sets it (and reads the store), so a change that passes writes nothing
    // more, and one that fails rolls it back.
    const requestedAddress = input.method === FulfillmentMethod.SHIP ? input.shippingAddress : undefined;
    const shippingAddress = requestedAddress && normalizeAddress(requestedAddress);
    const storeId =
      input.method === FulfillmentMethod.SHIP
        ? undefined
        : (input.locationId ?? (input.method === FulfillmentMethod.IN_STORE ? staffLocationOf(ctx) : undefined));
    const fulfillment = { method: input.method, locationId: storeId && isUuid(storeId) ? storeId : undefined, shippingAddress };
    const result = await this.mutate(
      ctx,
      cartId,
      expectedVersion,
      async (tx, cart, _lines, read) => {
        // The cart already holds the fulfillment asked for: here it is only checked.
        if (input.method === FulfillmentMethod.SHIP) {
          // Another customer's address (or a guest cart) is refused as if the id named nothing.
          if (saved && saved.customer.id !== cart.customer?.id) return fail(ErrorCode.NOT_FOUND, 'No saved address has this id.', ['input', 'addressId']);
          const address = input.shippingAddress;
          if (!address) return fail(ErrorCode.INVALID_INPUT, 'Shipping needs an address.', ['input', 'shippingAddress']);
          const problem = addressProblem(shippingAddress!);
          if (problem) return fail(ErrorCode.INVALID_INPUT, problem.message, ['input', 'shippingAddress', problem.field]);
          return ok();
        }
        // IN_STORE is a sale at the counter: staff only, in their own store (theirs by default).
        const staff = input.method === FulfillmentMethod.IN_STORE ? requireStaff(tx) : undefined;
        const locationId = input.locationId ?? staff?.locationId;
        if (!locationId) return fail(ErrorCode.INVALID_INPUT, `${input.method} needs a locationId.`, ['input', 'locationId']);
        if (staff) requireStaff(tx, { locationId });
        const prefetched = read.location?.id === locationId;
        const location = prefetched ? read.location! : isUuid(locationId) ? await tx.em.findOne(Location, { id: locationId }) : null;
        if (!location) return fail(ErrorCode.NOT_FOUND, 'No location has this id.', ['input', 'locationId']);
        if (location.kind !== LocationKind.STORE || (input.method === FulfillmentMethod.PICKUP && !location.pickupEnabled)) {
          return fail(
            ErrorCode.LOCATION_NOT_AVAILABLE,
            `${location.name} does not offer ${input.method === FulfillmentMethod.PICKUP ? 'pickup' : 'counter sales'}.`,
            ['input', 'locationId'],
          );
        }
        // The locking statement has set the store it read; another one only if it read none.
        if (!prefetched) cart.fulfillmentLocation = tx.em.getReference(Location, location.id, { wrapped: true });
        chosen = location;
        return ok();
      },
      { prime: true, lines: false, locationId: fulfillment.locationId, fulfillment },
    );
    if (result.ok && chosen) requestLoaders(ctx)?.locationById.clear(chosen.id).prime(chosen.id, chosen);
    return result;
  }

  /**
   * A guest cart's contact: the email the confirmation goes to (and that orderLookup asks for),
   * and a phone. A field left out keeps its value; an empty one clears it.
   */
  setContact(ctx: ServiceContext, cartId: string, input: CartContactInput, expectedVersion?: number | null): Promise<Result<Cart>> {
    return this.mutate(
      ctx,
      cartId,
      expectedVersion,
      async (_tx, cart) => {
        if (cart.customer) return fail(ErrorCode.INVALID_INPUT, "A customer's cart uses the account's email and phone.", ['cartId']);
        if (input.email !== undefined && input.email !== null) {
          const email = input.email.trim() === '' ? null : parseEmail(input.email);
          if (email === undefined) return fail(ErrorCode.INVALID_INPUT, 'Enter a valid email address.', ['input', 'email']);
          cart.contactEmail = email ?? undefined;
        }
        if (input.phone !== undefined && input.phone !== null) {
          const phone = input.phone.trim() === '' ? null : parsePhone(input.phone);
          if (phone === undefined)
            return fail(ErrorCode.INVALID_INPUT, 'Enter the phone number with its country code, e.g. +34 600 123 456.', ['input', 'phone']);
          cart.contactPhone = phone ?? undefined;
        }
        return ok();
      },
      { prime: true, lines: false },
    );
  }

  /** Erasure: the customer's carts forget where to ship and whom to contact; an open one is abandoned. */
  async eraseCustomerData(tx: ServiceContext, customerId: string): Promise<void> {
    await eraseCartsOf(tx.em, customerId);
  }

  /** Points to redeem at checkout; never more than the balance or than the subtotal is worth. */
  applyLoyaltyPoints(ctx: ServiceContext, cartId: string, points: number, expectedVersion?: number | null): Promise<Result<Cart>> {
    return this.mutate(
      ctx,
      cartId,
      expectedVersion,
      async (tx, cart, lines) => {
        if (!Number.isInteger(points) || points < 0) return fail(ErrorCode.INVALID_INPUT, 'Points are a whole number from 0.', ['points']);
        if (points > 0) {
          const balance = cart.customer ? await loyaltyService.balanceOf(tx, cart.customer.id) : 0;
          if (points > balance) return fail(ErrorCode.INSUFFICIENT_POINTS, `The balance is ${balance} points.`, ['points']);
          const { subtotal, discountTotal } = await priceLockedCart(tx, cart, lines);
          if (loyaltyService.discountFor(tx.config.loyalty, points) > subtotal - discountTotal) {
            return fail(ErrorCode.INSUFFICIENT_POINTS, 'That many points are worth more than the cart.', ['points']);
          }
        }
        cart.loyaltyPointsApplied = points;
        return ok();
      },
      { prime: true },
    );
  }

  /**
   * Puts a promotion's code on the cart, once the engine agrees it applies to this cart on this
   * channel now; the cart keeps it on every channel. One code per cart: a new one replaces it.
   */
  applyDiscountCode(ctx: ServiceContext, cartId: string, code: string, expectedVersion?: number | null): Promise<Result<Cart>> {
    return this.mutate(
      ctx,
      cartId,
      expectedVersion,
      async (tx, cart, lines) => {
        if (!normalizeCode(code)) return fail(ErrorCode.DISCOUNT_CODE_INVALID, 'Enter a code.', ['code']);
        const checked = await pricingService.checkCode(
          tx,
          code,
          cartToPrice(
            cart,
            lines,
            lines.map((l) => l.variant.unwrap()),
          ),
        );
        if (!checked.ok) return checked;
        cart.discountCodes = [checked.value.code!];
        return ok();
      },
      { prime: true },
    );
  }

  removeDiscountCode(ctx: ServiceContext, cartId: string, code: string, expectedVersion?: number | null): Promise<Result<Cart>> {
    return this.mutate(
      ctx,
      cartId,
      expectedVersion,
      async (_tx, cart) => {
        const normalized = normalizeCode(code);
        if (!cart.discountCodes.includes(normalized)) return fail(ErrorCode.NOT_FOUND, 'This code is not on the cart.', ['code']);
        cart.discountCodes = cart.discountCodes.filter((c) => c !== normalized);
        return ok();
      },
      { prime: true, lines: false },
    );
  }

  /**
   * Brings a guest cart to a customer who signs in: it becomes their ACTIVE cart when they have
   * none; otherwise its lines add up into theirs (capped at the line maximum) and it is MERGED.
   */
  async mergeGuestCart(ctx: ServiceContext, customerId: string, cartId: string): Promise<Result<Cart>> {
    if (!isUuid(cartId)) return notFound();
    const attempt = () =>
      transactional(ctx, async (tx) => {
        const guest = await tx.em.findOne(Cart, { id: cartId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!guest || (guest.customer && guest.customer.id !== customerId)) return notFound();
        if (guest.status !== CartStatus.ACTIVE) return fail(ErrorCode.CART_NOT_ACTIVE, `This cart is ${guest.status}.`, ['cartId']);
        if (guest.customer) return ok(guest);
        const guestLines = await this.linesOf(tx, guest);
        const target = await this.lockActiveCart(tx, customerId);
        if (!target) {
          guest.customer = tx.em.getReference(Customer, customerId, { wrapped: true });
          for (const line of guestLines) line.customer = guest.customer;
          this.touch(guest);
          await tx.em.flush();
          return ok(guest);
        }
        const lines = await this.linesOf(tx, target);
        const now = Date.now();
        for (const [i, line] of guestLines.entries()) {
          const same = lines.find((l) => l.variant.id === line.variant.id);
          if (same) same.quantity = Math.min(tx.config.maxLineQuantity, same.quantity + line.quantity);
          else
            lines.push(
              tx.em.create(CartLine, {
                cart: target,
                customer: customerId,
                variant: line.variant,
                quantity: line.quantity,
                channel: line.channel,
                createdAt: new Date(now + i),
              }),
            );
        }
        if (!target.discountCodes.length && guest.discountCodes.length) target.discountCodes = guest.discountCodes;
        const tooLarge = tooLargeForCart(lines, ['cartId']);
        if (!tooLarge.ok) return tooLarge;
        if (!target.fulfillmentMethod && guest.fulfillmentMethod) {
          target.fulfillmentMethod = guest.fulfillmentMethod;
          target.fulfillmentLocation = guest.fulfillmentLocation;
          target.shippingAddress = guest.shippingAddress;
        }
        guest.status = CartStatus.MERGED;
        this.touch(guest);
        this.touch(target);
        await tx.em.flush();
        return ok(target);
      });
    return retryOnUniqueViolation(attempt);
  }

  /** Whether `mergeGuestCart` would accept this cart, checked before signing someone up. */
  async checkMergeable(ctx: ServiceContext, cartId: string): Promise<Result<void>> {
    const cart = isUuid(cartId) ? await ctx.em.findOne(Cart, { id: cartId }) : null;
    if (!cart || cart.customer) return notFound();
    if (cart.status !== CartStatus.ACTIVE) return fail(ErrorCode.CART_NOT_ACTIVE, `This cart is ${cart.status}.`, ['cartId']);
    return ok();
  }

  /**
   * Marks carts idle for longer than the configured time ABANDONED. One statement; carts being
   * changed right now are locked and skipped, so any number of instances can run it at once.
   */
  async abandonIdleCarts(ctx: ServiceContext, now = new Date(), batch = 500): Promise<number> {
    const cutoff = new Date(now.getTime() - ctx.config.cartAbandonAfterHours * 3600_000);
    return (await abandonCartsIdleSince(ctx.em, cutoff, now, batch)).length;
  }

  /**
   * Every cart change: lock the cart row (concurrent changes of one cart queue up instead of
   * overwriting each other), check access, status and expectedVersion, apply. The lock and the
   * version bump are one statement, which also reads what the change needs (see lockCart); a
   * refused change rolls the bump back.
   */
  private async mutate(
    ctx: ServiceContext,
    cartId: string,
    expectedVersion: number | null | undefined,
    change: CartChange,
    {
      // Only for changes that remove no line: the lines array then is exactly the cart's lines.
      prime = false,
      // `false` for a change that needs none of the cart's lines.
      lines: withLines = true,
      requested,
      locationId,
      fulfillment,
    }: { prime?: boolean; lines?: boolean; requested?: CartLineInput[]; locationId?: string; fulfillment?: LockOptions['fulfillment'] } = {},
  ): Promise<Result<Cart>> {
    if (!isUuid(cartId)) return notFound();
    let lines: CartLine[] | undefined;
    const result = await transactional(ctx, async (tx) => {
      const locked = await lockCart(tx, cartId, { lines: withLines, requested, locationId, fulfillment });
      if (!locked) return notFound();
      const { cart } = locked;
      assertCartAccess(tx.actor, cart);
      if (cart.status !== CartStatus.ACTIVE) return fail(ErrorCode.CART_NOT_ACTIVE, `This cart is ${cart.status} and can no longer change.`, ['cartId']);
      const before = cart.version - 1;
      if (expectedVersion !== undefined && expectedVersion !== null && expectedVersion !== before) {
        return fail(ErrorCode.VERSION_CONFLICT, `The cart has changed (version ${before}); reload it and try again.`, ['expectedVersion']);
      }
      lines = locked.lines;
      const changed = await change(tx, cart, lines ?? [], locked);
      if (!changed.ok) return changed;
      await tx.em.flush();
      return ok(cart);
    });
    if (result.ok && prime) primeCart(ctx, result.value, lines);
    return result;
  }

  private async addToLines(
    tx: ServiceContext,
    cart: Cart,
    lines: CartLine[],
    inputs: CartLineInput[],
    path: (string | number)[],
    found?: ProductVariant[],
  ): Promise<Result<void>> {
    if (inputs.length === 0) return ok();
    const resolved = await resolveLineInputs(tx, inputs, path, found);
    if (!resolved.ok) return resolved;
    // Lines keep the order they were added in: each new line gets its own creation instant.
    const now = Date.now();
    for (const { variant, quantity, index } of resolved.value) {
      const line = lines.find((l) => l.variant.id === variant.id);
      const total = (line?.quantity ?? 0) + quantity;
      if (total > tx.config.maxLineQuantity) {
        return fail(ErrorCode.INVALID_QUANTITY, `At most ${tx.config.maxLineQuantity} of one item per cart.`, [...path, index, 'quantity']);
      }
      if (line) line.quantity = total;
      else lines.push(tx.em.create(CartLine, { cart, customer: cart.customer, variant, quantity, channel: tx.channel, createdAt: new Date(now + index) }));
    }
    return tooLargeForCart(lines, path);
  }

  private lockActiveCart(tx: ServiceContext, customerId: string): Promise<Cart | null> {
    return tx.em.findOne(Cart, { customer: customerId, status: CartStatus.ACTIVE }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  /** The cart's lines with their variants (one statement): the response prices them from these. */
  private linesOf(tx: ServiceContext, cart: Cart): Promise<CartLine[]> {
    return readLines(tx, cart.id);
  }

  private touch(cart: Cart): void {
    cart.version += 1;
    cart.updatedAt = new Date();
  }
}

/**
 * After a committed change, the request's loaders answer the response's lines and prices from
 * the lines (read with their variants) the change has just read and written, instead of reading
 * them again.
 */
function primeCart(ctx: ServiceContext, cart: Cart, lines: CartLine[] | undefined): void {
  const loaders = requestLoaders(ctx);
  if (!loaders) return;
  loaders.cartById.clear(cart.id).prime(cart.id, cart);
  if (lines) loaders.linesByCart.clear(cart.id).prime(cart.id, [...lines]);
  else loaders.linesByCart.clear(cart.id);
}

/** Whether openCart has just created the cart (an existing one comes back at version 2 or more). */
const isNew = (cart: Cart): boolean => cart.version === 1;

/**
 * The partial unique index allows one ACTIVE cart per customer. Two requests that both found
 * none and both created one: the loser runs again and now finds the winner's cart.
 */
async function retryOnUniqueViolation<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    if (isUniqueViolation(err)) return attempt();
    throw err;
  }
}

export const cartService = new CartService();
