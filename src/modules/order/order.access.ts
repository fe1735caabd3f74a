import type { Actor } from '../../core/auth/actor';
import { worksAt } from '../../core/auth/guards';
import { guardedBy, shownOnlyIf } from '../../core/auth/field-guard';
import { forbidden, unauthenticated } from '../../core/errors';

/**
 * What an order's fields read to decide who sees them: a managed entity or a plain row both fit.
 * Plain strings, not the entity's enum: order.entity.ts uses the decorators below.
 */
interface OrderRef {
  status: string;
  customer?: { id: string };
  location: { id: string };
}

/**
 * Who sees what of an order, wherever it was reached from (a root field, `customer { orders }`,
 * a loyalty transaction, a mutation's payload, a subscription's event):
 * - `full`: its owner, staff of its store (ADMIN: any store), the system; and a guest or customer
 *   for a guest order (only the holder of its cart id, or whoever knows its number and contact
 *   email through orderLookup, reaches one: order(id) refuses them);
 * - `counter`: staff of another store, who serve the customer at their counter (they find the
 *   customer by email and may take back a completed order anywhere): its number, status, lines,
 *   totals and customer, and — once COMPLETED — its payment and timeline, which a return needs;
 *   never its shipping address (null for them), nor the payment and timeline of an open order
 *   (FORBIDDEN);
 * - anyone else: nothing but its id (UNAUTHENTICATED for a guest, FORBIDDEN for another customer).
 * The pickup code stays the owner's alone (see OrderFulfillmentResolver.pickupCode).
 */
export type OrderAccess = 'full' | 'counter';

export function orderAccess(actor: Actor, order: OrderRef): OrderAccess {
  if (actor.kind === 'system') return 'full';
  if (actor.kind === 'customer' && order.customer?.id === actor.customerId) return 'full';
  if (actor.kind === 'staff') return worksAt(actor, order.location.id) ? 'full' : 'counter';
  if ((actor.kind === 'guest' || actor.kind === 'customer') && !order.customer) return 'full';
  if (actor.kind === 'guest') throw unauthenticated('Sign in to see this order.');
  throw forbidden('This order is not yours to see.');
}

/** Root fields: the owner, or staff of the order's store (ADMIN: any). Throws the auth error. */
export function assertOrderAccess(actor: Actor, order: OrderRef): void {
  if (actor.kind === 'guest' && !order.customer) throw unauthenticated('Sign in to see this order.');
  if (actor.kind === 'customer' && !order.customer) throw forbidden('This order is not yours to see.');
  if (orderAccess(actor, order) !== 'full') throw forbidden('This order is not yours to see.');
}

export const isOrderOwner = (actor: Actor, order: { customer?: { id: string } }): boolean =>
  actor.kind === 'customer' && order.customer?.id === actor.customerId;

/** Number, status, lines, totals, customer: the owner and any staff. */
export const OrderSummaryField = guardedBy<OrderRef>((actor, order) => void orderAccess(actor, order));

/** Payment and timeline: `full` access, or staff of any store once the order is completed (returns are taken anywhere). */
export const OrderHistoryField = guardedBy<OrderRef>((actor, order) => {
  if (orderAccess(actor, order) === 'counter' && order.status !== 'COMPLETED') {
    throw forbidden("An open order's payment and timeline are for the staff of its store.");
  }
});

/** The shipping address: `full` access only; null for staff of other stores (the POS's order fragment asks for it). */
export const OrderAddressField = shownOnlyIf<{ order: OrderRef }>((actor, { order }) => orderAccess(actor, order) === 'full');
