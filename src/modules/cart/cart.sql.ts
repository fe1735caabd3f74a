import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Address } from '../../core/address';
import type { Channel } from '../../core/channel';
import { inList, query } from '../../core/db/sql';
import type { ServiceContext } from '../../core/context';
import { ProductVariant } from '../catalog/catalog.entity';
import { Location } from '../location/location.entity';
import { Cart, CartLine, type FulfillmentMethod } from './cart.entity';
import { readLines, requested } from './cart.lines';
import type { CartLineInput } from './cart.types';

export interface LockedCart {
  /** With its new version (and status, when completed). */
  cart: Cart;
  /** The cart's lines with their variants, oldest first, when asked for. */
  lines?: CartLine[];
  /** The variants the request names, when asked for. */
  requested?: ProductVariant[];
  /** The location chosen for the cart's fulfillment (`fulfillmentLocation`), or the one named by `locationId`. */
  location?: Location;
}

export interface LockOptions {
  lines?: boolean;
  requested?: CartLineInput[];
  /** Read the location chosen for the cart's fulfillment. */
  fulfillmentLocation?: boolean;
  /** Read this location (a UUID), e.g. the one about to be chosen. */
  locationId?: string;
  /**
   * Set the cart's fulfillment in the same UPDATE. A location id that names no location sets
   * none: the caller checks the location and refuses, which rolls all of it back.
   */
  fulfillment?: { method: FulfillmentMethod; locationId?: string; shippingAddress?: Address };
  /** Complete the cart, only if it is ACTIVE (checkout): otherwise nothing changes and nothing is returned. */
  complete?: boolean;
}

/*
 * The cart module's hand-written statements: the hot paths of cart changes and checkout, where
 * one statement does what the ORM would do in several (each is counted in statement-budget tests).
 */

/**
 * Locks the cart row and raises its version in one UPDATE (it takes the same row lock as
 * SELECT … FOR UPDATE; a change refused later rolls the new version back with the rest), and
 * reads in the same statement what the change needs.
 *
 * Those reads see the database as it was when the statement began. If another change of this
 * cart committed while this one waited for the lock, the lines read are older than the cart
 * locked: every change of a cart's lines raises the cart's version, so the version the statement
 * saw before its own update tells, and the lines are then read again (after the lock, so current).
 */
export async function lockCart(tx: ServiceContext, cartId: string, options: LockOptions = {}): Promise<LockedCart | undefined> {
  const { fulfillment } = options;
  const params: unknown[] = fulfillment
    ? [fulfillment.method, fulfillment.locationId ?? null, fulfillment.shippingAddress ? JSON.stringify(fulfillment.shippingAddress) : null]
    : [];
  params.push(new Date(), cartId);
  const reads = ['(select version from cart where id = locked.id) as seen_version'];
  if (options.lines) {
    reads.push(`(select coalesce(jsonb_agg(jsonb_build_object('line', to_jsonb(l), 'variant', to_jsonb(v)) order by l.created_at, l.id), '[]'::jsonb)
                   from cart_line l join product_variant v on v.id = l.variant_id where l.cart_id = locked.id) as lines`);
  }
  if (options.requested) {
    const { ids, skus } = requested(options.requested);
    const wanted = [...inList('v.id', ids), ...inList('v.sku', skus)];
    reads.push(`(select coalesce(jsonb_agg(to_jsonb(v)), '[]'::jsonb) from product_variant v where ${wanted.join(' or ') || 'false'}) as requested`);
    params.push(...ids, ...skus);
  }
  if (options.fulfillmentLocation) reads.push('(select to_jsonb(l) from location l where l.id = locked.fulfillment_location_id) as location');
  else if (options.locationId) {
    reads.push('(select to_jsonb(l) from location l where l.id = ?) as location');
    params.push(options.locationId);
  }
  const [row] = await query<LockedRow>(
    tx.em,
    `with locked as (
       update cart set ${options.complete ? "status = 'COMPLETED', " : ''}${fulfillment ? SET_FULFILLMENT : ''}version = version + 1, updated_at = ?
        where id = ?${options.complete ? " and status = 'ACTIVE'" : ''}
       returning *
     )
     select to_jsonb(locked) as cart, ${reads.join(', ')} from locked`,
    params,
  );
  if (!row) return undefined;
  const cart = tx.em.map(Cart, row.cart);
  const locked: LockedCart = { cart };
  if (row.requested) locked.requested = row.requested.map((v) => tx.em.map(ProductVariant, v));
  if (row.location) locked.location = tx.em.map(Location, row.location);
  if (row.lines) {
    const fresh = row.seen_version === cart.version - 1;
    // The variant first: the line's reference to it then is the loaded variant itself.
    locked.lines = fresh ? row.lines.map(({ line, variant }) => (tx.em.map(ProductVariant, variant), tx.em.map(CartLine, line))) : await readLines(tx, cart.id);
  }
  return locked;
}

interface LockedRow {
  cart: Record<string, unknown>;
  seen_version: number | null;
  lines?: { line: Record<string, unknown>; variant: Record<string, unknown> }[];
  requested?: Record<string, unknown>[];
  location?: Record<string, unknown> | null;
}

const SET_FULFILLMENT = 'fulfillment_method = ?, fulfillment_location_id = (select id from location where id = ?::uuid), shipping_address = ?::jsonb, ';

interface LineColumns {
  line_id: string | null;
  line_customer_id: string | null;
  line_quantity: number;
  line_channel: Channel | null;
  line_created_at: Date | null;
}

/**
 * In one statement, the cart's lines with their variants (in the order they were added) and the
 * variants a request names: all that adding lines reads before it changes anything.
 */
export async function linesAndRequestedVariants(
  tx: ServiceContext,
  cartId: string,
  inputs: CartLineInput[],
): Promise<{ lines: CartLine[]; variants: ProductVariant[] }> {
  const { ids, skus } = requested(inputs);
  const wanted = [...inList('v.id', ids), ...inList('v.sku', skus)];
  const requestedVariants = wanted.length
    ? `union all
       select null, null, null, null, null, v.* from product_variant v where ${wanted.join(' or ')}`
    : '';
  const rows = await query<Record<string, unknown> & LineColumns>(
    tx.em,
    `select l.id as line_id, l.customer_id as line_customer_id, l.quantity as line_quantity, l.channel as line_channel, l.created_at as line_created_at, v.*
       from cart_line l join product_variant v on v.id = l.variant_id
      where l.cart_id = ?
     ${requestedVariants}
      order by line_created_at, line_id`,
    [cartId, ...ids, ...skus],
  );
  const lines: CartLine[] = [];
  const variants: ProductVariant[] = [];
  for (const { line_id, line_customer_id, line_quantity, line_channel, line_created_at, ...variantRow } of rows) {
    // The variant first: the line's reference to it then is the loaded variant itself.
    const variant = tx.em.map(ProductVariant, variantRow);
    variants.push(variant);
    if (line_id === null) continue;
    const row = {
      id: line_id,
      cart_id: cartId,
      customer_id: line_customer_id,
      variant_id: variant.id,
      quantity: line_quantity,
      channel: line_channel,
      created_at: line_created_at,
    };
    lines.push(tx.em.map(CartLine, row));
  }
  return { lines, variants };
}

/**
 * A new ACTIVE cart or, when the customer already has one, that cart with its version raised (and
 * its row locked until the transaction ends), in one statement: the partial unique index decides,
 * so two requests racing to create a customer's cart both end up on the same one.
 */
export async function openCart(ctx: ServiceContext, customerId: string | undefined): Promise<Cart> {
  const now = new Date();
  const [row] = await query<Record<string, unknown>>(
    ctx.em,
    `insert into cart (id, customer_id, status, channel, version, loyalty_points_applied, created_at, updated_at)
     values (?, ?, 'ACTIVE', ?, 1, 0, ?, ?)
     on conflict (customer_id) where status = 'ACTIVE'
     do update set version = cart.version + 1, updated_at = excluded.updated_at
     returning *`,
    [randomUUID(), customerId ?? null, ctx.channel, now, now],
  );
  return ctx.em.map(Cart, row);
}

/** Marks ACTIVE carts not changed since `cutoff` ABANDONED, at most `batch`, skipping carts locked by a change in progress. */
export function abandonCartsIdleSince(em: EntityManager, cutoff: Date, now: Date, batch: number): Promise<{ id: string }[]> {
  return query<{ id: string }>(
    em,
    `update cart set status = 'ABANDONED', version = version + 1, updated_at = ?
      where id in (select id from cart where status = 'ACTIVE' and updated_at < ? order by updated_at limit ? for update skip locked)
      returning id`,
    [now, cutoff, batch],
  );
}

/** Erasure of a customer's carts: no address or contact left; an ACTIVE one is ABANDONED (it can no longer be checked out). */
export async function eraseCartsOf(em: EntityManager, customerId: string): Promise<void> {
  await query(
    em,
    `update cart set shipping_address = null, contact_email = null, contact_phone = null,
            status = case when status = 'ACTIVE' then 'ABANDONED'::cart_status else status end, version = version + 1, updated_at = now()
      where customer_id = ?`,
    [customerId],
  );
}
