import type { TxContext } from '../../core/context';
import { transactional } from '../../core/db/transaction';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { isUuid } from '../../core/loader';
import { ProductVariant } from '../catalog/catalog.entity';
import { Location } from '../location/location.entity';
import { InventoryMovement, MovementKind, StockLevel } from './inventory.entity';
import type { StockAvailability } from './inventory.types';

/** One change of one variant's stock at one location, written as one ledger row. */
export interface StockChange {
  locationId: string;
  variantId: string;
  kind: MovementKind;
  onHandDelta: number;
  reservedDelta: number;
  orderId?: string;
  staffId?: string;
}

export interface StockLevelRow {
  id: string;
  location_id: string;
  variant_id: string;
  on_hand: number;
  reserved: number;
}

const MAX_ON_HAND = 1_000_000_000;

/** Why `apply` refused: the change at `index` of the list, and how many units were available. */
export interface StockShortage {
  index: number;
  available: number;
}

const shortage = (index: number, available: number) =>
  fail<StockShortage>(ErrorCode.OUT_OF_STOCK, `Only ${available} of this item are available.`, undefined, { index, available });

export class InventoryService {
  /** ADMIN or store manager: set the counted units on hand; the difference is one ADJUSTMENT row. */
  async setOnHand(
    ctx: TxContext,
    input: { locationId: string; sku: string; onHand: number; staffId?: string },
  ): Promise<Result<StockAvailability>> {
    if (!Number.isInteger(input.onHand) || input.onHand < 0 || input.onHand > MAX_ON_HAND) {
      return fail(ErrorCode.INVALID_QUANTITY, 'On-hand stock is a whole number from 0 up.', ['onHand']);
    }
    const location = isUuid(input.locationId) ? await ctx.em.findOne(Location, { id: input.locationId }) : null;
    if (!location) return fail(ErrorCode.NOT_FOUND, 'No location has this id.', ['locationId']);
    const variant = await ctx.em.findOne(ProductVariant, { sku: input.sku.trim() });
    if (!variant) return fail(ErrorCode.NOT_FOUND, `No product variant has the SKU ${input.sku}.`, ['sku']);

    return transactional(ctx, async (tx) => {
      const key = { locationId: location.id, variantId: variant.id };
      const [level] = await this.lockLevels(tx, [key], { create: true });
      if (input.onHand < level.reserved) {
        return fail(ErrorCode.INVALID_QUANTITY, `${level.reserved} units are reserved for open orders; on hand cannot go below that.`, ['onHand']);
      }
      const delta = input.onHand - level.on_hand;
      if (delta !== 0) {
        await this.writeChanges(tx, [level], [{ ...key, kind: MovementKind.ADJUSTMENT, onHandDelta: delta, reservedDelta: 0, staffId: input.staffId }]);
      }
      return ok({ locationId: location.id, available: input.onHand - level.reserved });
    });
  }

  /**
   * Applies stock changes inside the caller's transaction, all or nothing. Rows are locked in
   * one fixed order (location, variant) so concurrent checkouts cannot deadlock, then checked:
   * a change that would take onHand or reserved below zero, or reserve more than is on hand,
   * is refused with its index and nothing is written. The table's CHECKs back this up.
   */
  async apply(tx: TxContext, changes: StockChange[], options: { create?: boolean } = {}): Promise<Result<void, StockShortage>> {
    if (changes.length === 0) return ok();
    const levels = await this.lockLevels(tx, changes, options);
    const byKey = new Map(levels.map((l) => [`${l.location_id}/${l.variant_id}`, { ...l }]));
    for (const [index, change] of changes.entries()) {
      const level = byKey.get(`${change.locationId}/${change.variantId}`);
      if (!level) return shortage(index, 0);
      const onHand = level.on_hand + change.onHandDelta;
      const reserved = level.reserved + change.reservedDelta;
      if (onHand < 0 || reserved < 0 || reserved > onHand) {
        return shortage(index, Math.max(0, level.on_hand - level.reserved));
      }
      level.on_hand = onHand;
      level.reserved = reserved;
    }
    await this.writeChanges(tx, levels, changes);
    return ok();
  }

  /** `SELECT … FOR UPDATE` of the levels named, in a fixed order; creates missing rows when asked. */
  private async lockLevels(tx: TxContext, keys: { locationId: string; variantId: string }[], { create = false }): Promise<StockLevelRow[]> {
    const unique = [...new Map(keys.map((k) => [`${k.locationId}/${k.variantId}`, k])).values()];
    const tuples = unique.map(() => '(?::uuid, ?::uuid)').join(', ');
    const params = unique.flatMap((k) => [k.locationId, k.variantId]);
    if (create) {
      await tx.em.execute(
        `insert into stock_level (id, location_id, variant_id, on_hand, reserved)
         select gen_random_uuid(), v.location_id, v.variant_id, 0, 0 from (values ${tuples}) as v(location_id, variant_id)
         on conflict (location_id, variant_id) do nothing`,
        params,
      );
    }
    return tx.em.execute<StockLevelRow[]>(
      `select id, location_id, variant_id, on_hand, reserved from stock_level
        where (location_id, variant_id) in (${tuples})
        order by location_id, variant_id
        for update`,
      params,
    );
  }

  /** One UPDATE for all levels and one INSERT for all ledger rows, whatever the number of lines. */
  private async writeChanges(tx: TxContext, levels: StockLevelRow[], changes: StockChange[]): Promise<void> {
    const delta = new Map<string, { on: number; res: number }>();
    for (const c of changes) {
      const level = levels.find((l) => l.location_id === c.locationId && l.variant_id === c.variantId)!;
      const d = delta.get(level.id) ?? { on: 0, res: 0 };
      d.on += c.onHandDelta;
      d.res += c.reservedDelta;
      delta.set(level.id, d);
    }
    const rows = [...delta.entries()];
    await tx.em.execute(
      `update stock_level s set on_hand = s.on_hand + v.d_on, reserved = s.reserved + v.d_res
         from (values ${rows.map(() => '(?::uuid, ?::int, ?::int)').join(', ')}) as v(id, d_on, d_res)
        where s.id = v.id`,
      rows.flatMap(([id, d]) => [id, d.on, d.res]),
    );
    const now = new Date();
    await tx.em.insertMany(
      InventoryMovement,
      changes.map((c) => ({
        id: crypto.randomUUID(),
        location: c.locationId,
        variant: c.variantId,
        kind: c.kind,
        onHandDelta: c.onHandDelta,
        reservedDelta: c.reservedDelta,
        orderId: c.orderId,
        staffId: c.staffId,
        channel: tx.channel,
        createdAt: now,
      })),
    );
  }

  /** Stock rows of these variants (every location), for availability reads. */
  levelsOfVariants(ctx: TxContext, variantIds: string[]): Promise<StockLevel[]> {
    return ctx.em.find(StockLevel, { variant: { $in: variantIds } });
  }
}

export const inventoryService = new InventoryService();
