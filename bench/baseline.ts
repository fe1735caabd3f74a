import { createHash, randomInt } from 'node:crypto';
import type pg from 'pg';
import type { OpMeasure } from './stats';

/**
 * The ceiling: the same logical work as each benchmark operation, done with plain `pg` and
 * hand-written SQL over the same database, in this process (no HTTP, GraphQL or ORM). Each step
 * of a journey is what one API request does: authenticate the bearer token, check the rules,
 * write atomically, and read back what the response shows.
 */
export class Baseline {
  /** As many connections as the service has. */
  constructor(private readonly pool: pg.Pool) {}

  private async query<T extends pg.QueryResultRow>(m: OpMeasure, client: pg.Pool | pg.PoolClient, sql: string, params: unknown[] = []): Promise<T[]> {
    m.statements += 1;
    return (await client.query<T>(sql, params)).rows;
  }

  /** BEGIN … COMMIT on one pooled connection; ROLLBACK on any error. */
  private async tx<T>(m: OpMeasure, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await this.query(m, client, 'begin');
      const result = await work(client);
      await this.query(m, client, 'commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** The actor of a bearer token, as the service resolves it: one statement. */
  private async actor(m: OpMeasure, token: string | undefined): Promise<{ subjectId: string | null; role: string | null; locationId: string | null }> {
    if (!token) return { subjectId: null, role: null, locationId: null };
    const [row] = await this.query<{ subject_id: string; role: string | null; location_id: string | null }>(
      m,
      this.pool,
      `select s.subject_id, st.role, st.location_id from session s
         left join staff st on s.subject_kind = 'STAFF' and st.id = s.subject_id
        where s.token_hash = $1 and s.revoked_at is null and s.expires_at > now()`,
      [createHash('sha256').update(token).digest('hex')],
    );
    if (!row) throw new Error('unauthenticated');
    return { subjectId: row.subject_id, role: row.role, locationId: row.location_id };
  }

  /** A page of products with their variants, prices and available quantity: one statement. */
  async browse(m: OpMeasure, first: number, after?: { createdAt: Date; id: string }): Promise<string> {
    const rows = await this.query<{ id: string; title: string; created_at: Date; variants: unknown[] }>(
      m,
      this.pool,
      `select p.id, p.title, p.created_at,
              coalesce(json_agg(json_build_object('id', v.id, 'sku', v.sku, 'title', v.title, 'price', v.price_amount, 'available', v.available)
                                order by v.created_at, v.sku) filter (where v.id is not null), '[]') as variants
         from (select * from product where $1::timestamptz is null or (created_at, id) > ($1, $2::uuid)
                order by created_at, id limit $3) p
         left join lateral (
           select v.*, (select coalesce(sum(greatest(s.on_hand - s.reserved, 0)), 0)::int from stock_level s where s.variant_id = v.id) as available
             from product_variant v where v.product_id = p.id) v on true
        group by p.id, p.title, p.created_at
        order by p.created_at, p.id`,
      [after?.createdAt ?? null, after?.id ?? null, first + 1],
    );
    const page = rows.slice(0, first);
    // The response a client would get, serialized as the service would.
    return JSON.stringify({ products: page.map((p) => ({ id: p.id, title: p.title, variants: p.variants })), hasNextPage: rows.length > first });
  }

  /** A guest cart, or the customer's one ACTIVE cart, created when there is none. */
  async cartCreate(m: OpMeasure, token: string | undefined): Promise<string> {
    const { subjectId } = await this.actor(m, token);
    const [cart] = await this.query<{ id: string }>(
      m,
      this.pool,
      `with existing as (select id from cart where $1::uuid is not null and customer_id = $1 and status = 'ACTIVE'),
            created as (
              insert into cart (id, customer_id, status, channel, version, loyalty_points_applied, created_at, updated_at)
              select gen_random_uuid(), $1, 'ACTIVE', 'WEB', 1, 0, now(), now() where not exists (select 1 from existing)
              on conflict do nothing
              returning id)
       select id from created union all select id from existing`,
      [subjectId],
    );
    return cart.id;
  }

  /** Lock the cart, check it, add or increase the line, bump the version, read the totals back. */
  async addLine(m: OpMeasure, token: string | undefined, cartId: string, sku: string, quantity: number): Promise<void> {
    const { subjectId } = await this.actor(m, token);
    await this.tx(m, async (client) => {
      const [cart] = await this.query<{ customer_id: string | null; status: string }>(
        m,
        client,
        'select customer_id, status from cart where id = $1 for update',
        [cartId],
      );
      if (!cart || cart.status !== 'ACTIVE' || (cart.customer_id && cart.customer_id !== subjectId)) throw new Error('cart refused');
      const [line] = await this.query<{ quantity: number }>(
        m,
        client,
        `insert into cart_line (id, cart_id, customer_id, variant_id, quantity, channel, created_at)
         select gen_random_uuid(), $1, $2, v.id, $3, 'WEB', now() from product_variant v where v.sku = $4
         on conflict (cart_id, variant_id) do update set quantity = cart_line.quantity + excluded.quantity
         returning quantity`,
        [cartId, cart.customer_id, quantity, sku],
      );
      if (!line || line.quantity > 999) throw new Error('line refused');
      await this.query(m, client, 'update cart set version = version + 1, updated_at = now() where id = $1', [cartId]);
      await this.query(
        m,
        client,
        `select coalesce(sum(l.quantity), 0)::int as quantity, coalesce(sum(l.quantity * v.price_amount), 0)::int as subtotal
           from cart_line l join product_variant v on v.id = l.variant_id where l.cart_id = $1`,
        [cartId],
      );
    });
  }

  /** The cart with its lines, prices and the stores that could hand over every line now. */
  async readCart(m: OpMeasure, token: string | undefined, cartId: string): Promise<string> {
    const { subjectId } = await this.actor(m, token);
    const lines = await this.query<{ customer_id: string | null; line_id: string | null; quantity: number; sku: string; price_amount: number }>(
      m,
      this.pool,
      `select c.customer_id, l.id as line_id, l.quantity, v.id as variant_id, v.sku, v.title, v.price_amount
         from cart c left join cart_line l on l.cart_id = c.id left join product_variant v on v.id = l.variant_id
        where c.id = $1 order by l.created_at, l.id`,
      [cartId],
    );
    if (!lines.length || (lines[0].customer_id && lines[0].customer_id !== subjectId)) throw new Error('cart refused');
    const stores = await this.query(
      m,
      this.pool,
      `select loc.id, loc.code, loc.name from location loc
        where loc.pickup_enabled and not exists (
          select 1 from cart_line l left join stock_level s on s.variant_id = l.variant_id and s.location_id = loc.id
           where l.cart_id = $1 and coalesce(s.on_hand - s.reserved, 0) < l.quantity)
        order by loc.code`,
      [cartId],
    );
    const subtotal = lines.reduce((sum, l) => sum + (l.line_id ? l.quantity * l.price_amount : 0), 0);
    return JSON.stringify({ lines, subtotal, stores });
  }

  /** Pickup at a store that offers it: one conditional UPDATE (it locks the cart row itself). */
  async setPickup(m: OpMeasure, token: string, cartId: string, locationId: string): Promise<void> {
    const { subjectId } = await this.actor(m, token);
    const rows = await this.query(
      m,
      this.pool,
      `update cart c set fulfillment_method = 'PICKUP', fulfillment_location_id = loc.id, shipping_address = null,
              version = c.version + 1, updated_at = now()
         from location loc
        where c.id = $1 and c.status = 'ACTIVE' and (c.customer_id is null or c.customer_id = $2)
          and loc.id = $3 and loc.kind = 'STORE' and loc.pickup_enabled
        returning c.version, loc.code`,
      [cartId, subjectId, locationId],
    );
    if (!rows.length) throw new Error('pickup refused');
  }

  /**
   * Checkout in one transaction: claim the idempotency key, lock the cart, lock and reserve the
   * stock rows in a fixed order, write the order with its lines, event and card authorization,
   * complete the cart.
   */
  async checkout(m: OpMeasure, token: string, cartId: string, idempotencyKey: string): Promise<string> {
    const { subjectId } = await this.actor(m, token);
    return this.tx(m, async (client) => {
      const orderId = crypto.randomUUID();
      const claimed = await this.query(
        m,
        client,
        `insert into idempotency_record (id, scope, key, fingerprint, order_id, created_at) values (gen_random_uuid(), $1, $2, $3, $4, now())
         on conflict (scope, key) do nothing returning id`,
        // Keys are compared within the caller's scope, as the service's keyScope does: the customer's, or a guest's cart.
        [subjectId ? `customer:${subjectId}` : `cart:${cartId}`, idempotencyKey, createHash('sha256').update(cartId).digest('hex'), orderId],
      );
      if (!claimed.length) throw new Error('key reused');
      const [cart] = await this.query<{
        customer_id: string | null;
        contact_email: string | null;
        status: string;
        fulfillment_method: string;
        fulfillment_location_id: string;
      }>(m, client, 'select customer_id, contact_email, status, fulfillment_method, fulfillment_location_id from cart where id = $1 for update', [cartId]);
      if (!cart || cart.status !== 'ACTIVE' || cart.fulfillment_method !== 'PICKUP' || (cart.customer_id && cart.customer_id !== subjectId))
        throw new Error('cart refused');
      // A guest must leave a contact (CONTACT_REQUIRED); a signed-in customer is reached through the account.
      if (!cart.customer_id && !cart.contact_email) throw new Error('contact required');
      const lines = await this.query<{ variant_id: string; quantity: number; channel: string; sku: string; title: string; price_amount: number }>(
        m,
        client,
        `select l.variant_id, l.quantity, l.channel, v.sku, v.title, v.price_amount
           from cart_line l join product_variant v on v.id = l.variant_id where l.cart_id = $1 order by l.created_at, l.id`,
        [cartId],
      );
      if (!lines.length) throw new Error('empty cart');
      const locationId = cart.fulfillment_location_id;
      const variantIds = lines.map((l) => l.variant_id);
      const levels = await this.query<{ id: string; variant_id: string; on_hand: number; reserved: number }>(
        m,
        client,
        `select id, variant_id, on_hand, reserved from stock_level where location_id = $1 and variant_id = any($2::uuid[])
          order by location_id, variant_id for update`,
        [locationId, variantIds],
      );
      const levelOf = new Map(levels.map((l) => [l.variant_id, l]));
      for (const line of lines) {
        const level = levelOf.get(line.variant_id);
        if (!level || level.on_hand - level.reserved < line.quantity) throw new Error('out of stock');
      }
      await this.query(
        m,
        client,
        `with reserved as (
           update stock_level s set reserved = s.reserved + w.quantity
             from unnest($1::uuid[], $2::int[]) as w(id, quantity) where s.id = w.id)
         insert into inventory_movement (id, location_id, variant_id, kind, on_hand_delta, reserved_delta, order_id, channel, created_at)
         select gen_random_uuid(), $3, w.variant_id, 'RESERVE', 0, w.quantity, $4, 'WEB', now()
           from unnest($5::uuid[], $2::int[]) as w(variant_id, quantity)`,
        [lines.map((l) => levelOf.get(l.variant_id)!.id), lines.map((l) => l.quantity), locationId, orderId, variantIds],
      );
      // Without active promotions or a tax rate at the store (the default run), the total is the
      // subtotal and the order's discount and tax columns keep their zero defaults, as the service writes them.
      const subtotal = lines.reduce((sum, l) => sum + l.quantity * l.price_amount, 0);
      const pickupCode = Array.from({ length: 6 }, () => 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'[randomInt(32)]).join('');
      const [order] = await this.query<{ number: string }>(
        m,
        client,
        `with placed as (
           insert into orders (id, number, cart_id, customer_id, channel, status, fulfillment_method, location_id, pickup_code, client_address,
                               contact_email, subtotal, loyalty_discount, total, loyalty_points_redeemed, loyalty_points_earned, created_at, updated_at)
           values ($1, 'W-' || nextval('order_number_seq'), $2, $3, 'WEB', 'PLACED', 'PICKUP', $4, $5, '127.0.0.1', $12, $6, 0, $6, 0, 0, now(), now())
           returning id, number),
         lines as (
           insert into order_line (id, order_id, customer_id, variant_id, sku, title, quantity, returned_quantity, unit_price, total, channel, created_at)
           select gen_random_uuid(), $1, $3, w.variant_id, w.sku, w.title, w.quantity, 0, w.price, w.price * w.quantity, 'WEB', now() + (w.n * interval '1 millisecond')
             from unnest($7::uuid[], $8::text[], $9::text[], $10::int[], $11::int[]) with ordinality as w(variant_id, sku, title, quantity, price, n)
             where exists (select 1 from placed)),
         event as (
           insert into order_event (id, order_id, kind, channel, location_id, at) select gen_random_uuid(), id, 'PLACED', 'WEB', $4, now() from placed),
         payment as (
           insert into payment (id, order_id, method, status, amount, captured_amount, refunded_amount, provider_captured_amount,
                                provider_refunded_amount, provider_reference, created_at)
           select gen_random_uuid(), id, 'CARD', 'AUTHORIZED', $6, 0, 0, 0, 0, 'test_' || gen_random_uuid(), now() from placed)
         select number from placed`,
        [
          orderId,
          cartId,
          cart.customer_id,
          locationId,
          pickupCode,
          subtotal,
          variantIds,
          lines.map((l) => l.sku),
          lines.map((l) => l.title),
          lines.map((l) => l.quantity),
          lines.map((l) => l.price_amount),
          cart.customer_id ? null : cart.contact_email,
        ],
      );
      await this.query(m, client, `update cart set status = 'COMPLETED', version = version + 1, updated_at = now() where id = $1`, [cartId]);
      return order.number;
    });
  }

  /** A store's open pickup orders with customer and lines, for its staff: two statements. */
  async pickupQueue(m: OpMeasure, token: string, locationId: string): Promise<string> {
    const actor = await this.actor(m, token);
    if (!actor.role || (actor.role !== 'ADMIN' && actor.locationId !== locationId)) throw new Error('forbidden');
    const rows = await this.query(
      m,
      this.pool,
      `with queue as (
         select o.id, o.number, o.status, o.created_at, o.customer_id from orders o
          where o.location_id = $1 and o.fulfillment_method = 'PICKUP' and o.status in ('PLACED', 'READY_FOR_PICKUP')
          order by o.created_at, o.id limit 500)
       select q.id, q.number, q.status, q.created_at, c.email, l.lines
         from queue q
         left join customer c on c.id = q.customer_id
         left join (select order_id, json_agg(json_build_object('sku', sku, 'quantity', quantity) order by created_at, id) as lines
                      from order_line where order_id in (select id from queue) group by order_id) l on l.order_id = q.id
        order by q.created_at, q.id`,
      [locationId],
    );
    return JSON.stringify(rows);
  }
}
