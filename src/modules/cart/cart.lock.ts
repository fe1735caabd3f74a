import type { Address } from '../../core/address';
import type { TxContext } from '../../core/context';
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
export async function lockCart(tx: TxContext, cartId: string, options: LockOptions = {}): Promise<LockedCart | undefined> {
  const { fulfillment } = options;
  const params: unknown[] = fulfillment ? [fulfillment.method, fulfillment.locationId ?? null, fulfillment.shippingAddress ? JSON.stringify(fulfillment.shippingAddress) : null] : [];
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
  const [row] = await tx.em.execute<LockedRow[]>(
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

const inList = (column: string, values: string[]): string[] => (values.length ? [`${column} in (${values.map(() => '?').join(', ')})`] : []);
