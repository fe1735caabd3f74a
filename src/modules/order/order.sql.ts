import type { EntityManager } from '@mikro-orm/postgresql';
import type { Address } from '../../core/address';
import type { Channel } from '../../core/channel';
import { placeholders, query, snakeRow, values } from '../../core/db/sql';
import type { FulfillmentMethod } from '../cart/cart.entity';
import { eventsInsertCte, type NewEvent } from '../outbox';
import {
  Order,
  OrderLine,
  type OrderDiscount,
  type OrderLineView,
  type OrderStatus,
  type OrderTaxLine,
  type PaymentMethod,
  type PaymentStatus,
} from './order.entity';

/*
 * The order module's hand-written statements: placing an order in one round trip, the
 * idempotency keys, the pickup-code lock, the pickup queue's lines and the jobs' batches.
 */

export interface PlacedOrder {
  id: string;
  cartId: string;
  customerId: string | null;
  channel: Channel;
  status: OrderStatus;
  fulfillmentMethod: FulfillmentMethod;
  locationId: string;
  shippingAddress: Address | null;
  clientAddress: string | null;
  pickupCode: string | null;
  contactEmail: string | null;
  completedAt: Date | null;
  subtotal: number;
  loyaltyDiscount: number;
  discountTotal: number;
  taxTotal: number;
  taxesIncluded: boolean;
  discounts: OrderDiscount[];
  taxLines: OrderTaxLine[];
  total: number;
  loyaltyPointsRedeemed: number;
  loyaltyPointsEarned: number;
  pickupCodeFailures: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface PlacedLine {
  id: string;
  orderId: string;
  customerId: string | null;
  variantId: string;
  sku: string;
  title: string;
  quantity: number;
  returnedQuantity: number;
  unitPrice: number;
  discountTotal: number;
  loyaltyDiscount: number;
  taxTotal: number;
  total: number;
  channel: Channel;
  createdAt: Date;
}

export interface PlacedPayment {
  id: string;
  orderId: string;
  method: PaymentMethod;
  status: PaymentStatus;
  amount: number;
  capturedAmount: number;
  refundedAmount: number;
  providerCapturedAmount: number;
  providerRefundedAmount: number;
  providerReference: string | null;
  createdAt: Date;
}

export interface PlacedEvent {
  id: string;
  orderId: string;
  kind: string;
  channel: Channel;
  locationId: string;
  at: Date;
}

/** Column → value of one row to insert. */
type Row = Record<string, unknown>;

/** An SQL expression with its own parameters, in place of a value. */
class Expression {
  constructor(
    readonly sql: string,
    readonly params: unknown[] = [],
  ) {}
}

/**
 * A new order with its lines, payment, first event and outbox events in one statement (one round trip instead
 * of one per table). The order's number is drawn from the sequence inside the insert itself,
 * after `numberPrefix`. The rows carry their ids, so each insert names the order directly; the
 * foreign keys are checked at the end of the statement, when the order is there. Returns the
 * order and its lines as managed entities, as if they had been read back.
 */
export async function insertPlacedOrder(
  em: EntityManager,
  numberPrefix: string,
  rows: { order: PlacedOrder; lines: PlacedLine[]; payment: PlacedPayment; event: PlacedEvent; outbox: NewEvent[] },
  /** Rows of other modules' tables written with the order (e.g. the purchase recommendations learn from), in the same round trip. */
  also: { table: string; rows: Row[] }[] = [],
): Promise<{ order: Order; lines: OrderLine[] }> {
  const params: unknown[] = [];
  const insert = (table: string, values: Row[], returning = '') => {
    const columns = Object.keys(values[0]);
    const tuples = values.map((row) => `(${columns.map((c) => placeholder(row[c], params)).join(', ')})`);
    return `insert into ${table} (${columns.join(', ')}) values ${tuples.join(', ')}${returning}`;
  };
  const orderRow = { ...snakeRow(rows.order), number: new Expression(`? || nextval('order_number_seq')`, [numberPrefix]) };
  const lineRows = rows.lines.map(snakeRow);
  const [order] = await query<Row>(
    em,
    `with placed as (${insert('orders', [orderRow], ' returning *')}),
          payment as (${insert('payment', [snakeRow(rows.payment)])}),
          event as (${insert('order_event', [snakeRow(rows.event)])}),
          lines as (${insert('order_line', lineRows)})${eventsInsertCte(rows.outbox, params, 'placed')}${also
            .map(
              (extra, i) => `,
          also_${i} as (${insert(extra.table, extra.rows)})`,
            )
            .join('')}
     select * from placed`,
    params,
  );
  return { order: em.map(Order, order), lines: lineRows.map((line) => em.map(OrderLine, line)) };
}

function placeholder(value: unknown, params: unknown[]): string {
  if (value instanceof Expression) {
    params.push(...value.params);
    return value.sql;
  }
  // jsonb columns take the document as text: the driver would otherwise expand an array.
  params.push(value !== null && typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : (value ?? null));
  return '?';
}

/** Records the key unless it exists; true when this call recorded it (the unique index decides between racing calls). */
export async function insertIdempotencyKey(em: EntityManager, scope: string, key: string, fingerprint: string, orderId: string): Promise<boolean> {
  const inserted = await query<{ id: string }>(
    em,
    `insert into idempotency_record (id, scope, key, fingerprint, order_id, created_at) values (gen_random_uuid(), ?, ?, ?, ?, now())
     on conflict (scope, key) do nothing returning id`,
    [scope, key, fingerprint, orderId],
  );
  return inserted.length > 0;
}

export async function idempotencyRecord(em: EntityManager, scope: string, key: string): Promise<{ fingerprint: string; orderId: string }> {
  const [row] = await query<{ fingerprint: string; order_id: string }>(em, 'select fingerprint, order_id from idempotency_record where scope = ? and key = ?', [
    scope,
    key,
  ]);
  return { fingerprint: row.fingerprint, orderId: row.order_id };
}

/**
 * Counts a wrong pickup code on its own connection, outside any transaction (the attempt's
 * transaction has rolled back, and the count must stay). The `max`-th locks the code for
 * `minutes` and starts the count again.
 */
export async function countWrongPickupCode(
  em: EntityManager,
  orderId: string,
  max: number,
  minutes: number,
): Promise<{ failures: number; lockedUntil?: Date }> {
  const [row] = await em.getConnection().execute<{ failures: number; locked_until: Date | null }[]>(
    `update orders
        set pickup_code_failures = case when pickup_code_failures + 1 >= ? then 0 else pickup_code_failures + 1 end,
            pickup_code_locked_until = case when pickup_code_failures + 1 >= ? then now() + make_interval(mins => ?) else pickup_code_locked_until end
      where id = ?
      returning pickup_code_failures failures, pickup_code_locked_until locked_until`,
    [max, max, minutes, orderId],
  );
  return { failures: row?.failures ?? 0, lockedUntil: row?.locked_until ? new Date(row.locked_until) : undefined };
}

/** Open (PLACED or READY) orders still to be paid in store, of a customer and from a client address. */
export async function countOpenPayInStore(
  em: EntityManager,
  customerId: string | undefined,
  clientAddress: string | undefined,
): Promise<{ perCustomer: number; perAddress: number }> {
  const [row] = await query<{ per_customer: string | number; per_address: string | number }>(
    em,
    `select count(*) filter (where o.customer_id = ?) per_customer, count(*) filter (where o.client_address = ?) per_address
       from orders o join payment p on p.order_id = o.id
      where (o.customer_id = ? or o.client_address = ?)
        and o.status in ('PLACED', 'READY_FOR_PICKUP') and p.method = 'PAY_IN_STORE' and p.status = 'PENDING'`,
    [customerId ?? null, clientAddress ?? null, customerId ?? null, clientAddress ?? null],
  );
  return { perCustomer: Number(row?.per_customer ?? 0), perAddress: Number(row?.per_address ?? 0) };
}

/** Pickup orders past their hold (READY past expires_at, PLACED since before `placedBefore`), at most `batch`, locked; orders locked by a change in progress are skipped. */
export async function lockOverduePickups(em: EntityManager, now: Date, placedBefore: Date, batch: number): Promise<string[]> {
  const rows = await query<{ id: string }>(
    em,
    `select id from orders
      where (status = 'READY_FOR_PICKUP' and expires_at < ?)
         or (status = 'PLACED' and fulfillment_method = 'PICKUP' and created_at < ?)
      order by coalesce(expires_at, created_at) limit ? for update skip locked`,
    [now, placedBefore, batch],
  );
  return rows.map((r) => r.id);
}

/** Ready pickups expiring within `until` that were not reminded yet, locked; other instances skip them. */
export async function lockPickupsToRemind(em: EntityManager, now: Date, until: Date, batch: number): Promise<string[]> {
  const rows = await query<{ id: string }>(
    em,
    `select id from orders
      where status = 'READY_FOR_PICKUP' and pickup_reminded_at is null and expires_at > ? and expires_at <= ?
      order by expires_at limit ? for update skip locked`,
    [now, until, batch],
  );
  return rows.map((r) => r.id);
}

/**
 * The location that sends a SHIP order: one that has every line's quantity available now, so the
 * parcel leaves from one place. Warehouses first, then stores that ship (shipEnabled); within
 * each, the one with the most units of the ordered items available (it is left the least
 * short), then by code, so the choice is the same on every instance.
 */
export async function shippingLocationWithAll(em: EntityManager, lines: { variantId: string; quantity: number }[]): Promise<string | undefined> {
  const wanted = values(lines, ['uuid', 'int'], (l) => [l.variantId, l.quantity]);
  const [row] = await query<{ location_id: string }>(
    em,
    `select s.location_id
       from stock_level s
       join location l on l.id = s.location_id and (l.kind = 'WAREHOUSE' or l.ship_enabled)
       join (values ${wanted.sql}) as want(variant_id, quantity) on want.variant_id = s.variant_id
      where s.on_hand - s.reserved >= want.quantity
      group by s.location_id, l.kind, l.code
     having count(*) = ?
      order by l.kind = 'WAREHOUSE' desc, sum(s.on_hand - s.reserved) desc, l.code
      limit 1`,
    [...wanted.params, lines.length],
  );
  return row?.location_id;
}

/** The lines of the orders named, as plain rows (oldest first), for reading only. */
export async function linesOfOrders(em: EntityManager, orderIds: string[]): Promise<OrderLineView[]> {
  const rows = await query<{
    id: string;
    order_id: string;
    variant_id: string;
    sku: string;
    title: string;
    quantity: number;
    returned_quantity: number;
    unit_price: number;
    discount_total: number;
    loyalty_discount: number;
    tax_total: number;
    total: number;
    channel: Channel;
  }>(
    em,
    `select id, order_id, variant_id, sku, title, quantity, returned_quantity, unit_price, discount_total, loyalty_discount, tax_total, total, channel from order_line
      where order_id in (${placeholders(orderIds.length)}) order by created_at asc, id asc`,
    orderIds,
  );
  return rows.map((r) => ({
    id: r.id,
    order: { id: r.order_id },
    variant: { id: r.variant_id },
    sku: r.sku,
    title: r.title,
    quantity: r.quantity,
    returnedQuantity: r.returned_quantity,
    unitPrice: r.unit_price,
    discountTotal: r.discount_total,
    loyaltyDiscount: r.loyalty_discount,
    taxTotal: r.tax_total,
    total: r.total,
    channel: r.channel,
  }));
}

/**
 * Gives a new account the guest orders placed with its email (once: an attached order is no
 * longer a guest's), with their lines, in the sign-up's transaction. Returns how many.
 */
export async function attachGuestOrders(em: EntityManager, customerId: string, email: string): Promise<number> {
  const [row] = await query<{ n: number }>(
    em,
    `with attached as (
       update orders set customer_id = ?, contact_email = null, updated_at = now()
        where customer_id is null and contact_email = ?
        returning id
     ), lines as (
       update order_line set customer_id = ? where order_id in (select id from attached)
     )
     select count(*)::int as n from attached`,
    [customerId, email, customerId],
  );
  return row.n;
}

/** Erasure: the customer's orders keep their lines and money, not where they were sent. */
export async function eraseOrderAddresses(em: EntityManager, customerId: string): Promise<void> {
  await query(em, `update orders set shipping_address = null, updated_at = now() where customer_id = ? and shipping_address is not null`, [customerId]);
}
