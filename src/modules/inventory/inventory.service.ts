import { requireStaff } from '../../core/auth/guards';
import { StaffRole } from '../../core/auth/actor';
import type { ServiceContext } from '../../core/context';
import { transactional } from '../../core/db/transaction';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { isUuid } from '../../core/loader';
import { ProductVariant } from '../catalog/catalog.entity';
import { Location } from '../location/location.entity';
import { InventoryMovement, MovementKind } from './inventory.entity';
import type { StockAvailability } from './inventory.types';
import { recordLowStock } from './inventory.events';
import { addToLevels, insertMissingLevels, lockLevels, type LevelKey, type StockLevelRow } from './inventory.sql';

/** One change of one variant's stock at one location, written as one ledger row. */
export interface StockChange {
  locationId: string;
  variantId: string;
  kind: MovementKind;
  onHandDelta: number;
  reservedDelta: number;
  orderId?: string;
  transferId?: string;
  staffId?: string;
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
  /**
   * ADMIN, or MANAGER of that store (or the system): set the counted units on hand; the
   * difference is one ADJUSTMENT row, signed by the staff member.
   */
  async setOnHand(ctx: ServiceContext, input: { locationId: string; sku: string; onHand: number }): Promise<Result<StockAvailability>> {
    const staffId =
      ctx.actor.kind === 'system' ? undefined : requireStaff(ctx, { roles: [StaffRole.ADMIN, StaffRole.MANAGER], locationId: input.locationId }).staffId;
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
        await this.writeChanges(tx, [level], [{ ...key, kind: MovementKind.ADJUSTMENT, onHandDelta: delta, reservedDelta: 0, staffId }]);
      }
      return ok({ locationId: location.id, variantId: variant.id, available: input.onHand - level.reserved });
    });
  }

  /**
   * Applies stock changes inside the caller's transaction, all or nothing. Rows are locked in
   * one fixed order (location, variant) so concurrent checkouts cannot deadlock, then checked:
   * a change that would take onHand or reserved below zero, or reserve more than is on hand,
   * is refused with its index and nothing is written. The table's CHECKs back this up.
   */
  async apply(tx: ServiceContext, changes: StockChange[], options: { create?: boolean } = {}): Promise<Result<void, StockShortage>> {
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

  /** Creates the levels named that do not exist yet, at zero (e.g. where a transfer is going, so its units show as incoming). */
  async ensureLevels(tx: ServiceContext, keys: LevelKey[]): Promise<void> {
    if (keys.length) await insertMissingLevels(tx.em, keys);
  }

  /** `SELECT … FOR UPDATE` of the levels named, in a fixed order; creates missing rows when asked. */
  private async lockLevels(tx: ServiceContext, keys: LevelKey[], { create = false }): Promise<StockLevelRow[]> {
    const unique = [...new Map(keys.map((k) => [`${k.locationId}/${k.variantId}`, k])).values()];
    if (create) await insertMissingLevels(tx.em, unique);
    return lockLevels(tx.em, unique);
  }

  /**
   * One UPDATE for all levels and one INSERT for all ledger rows, whatever the number of lines.
   * A level whose available units fall from above its location's threshold to it or below records
   * INVENTORY_LOW: once per crossing, not again for every sale while it stays low.
   */
  private async writeChanges(tx: ServiceContext, levels: StockLevelRow[], changes: StockChange[]): Promise<void> {
    const delta = new Map<string, { on: number; res: number }>();
    for (const c of changes) {
      const level = levels.find((l) => l.location_id === c.locationId && l.variant_id === c.variantId)!;
      const d = delta.get(level.id) ?? { on: 0, res: 0 };
      d.on += c.onHandDelta;
      d.res += c.reservedDelta;
      delta.set(level.id, d);
    }
    for (const level of levels) {
      const d = delta.get(level.id);
      if (!d) continue;
      const threshold = level.low_stock_threshold ?? tx.config.lowStockThreshold;
      const before = level.on_hand - level.reserved;
      const after = before + d.on - d.res;
      if (before > threshold && after <= threshold)
        recordLowStock(tx, { locationId: level.location_id, variantId: level.variant_id, available: after, threshold });
    }
    await addToLevels(
      tx.em,
      [...delta.entries()].map(([id, d]) => ({ id, onHand: d.on, reserved: d.res })),
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
        transferId: c.transferId,
        staffId: c.staffId,
        channel: tx.channel,
        createdAt: now,
      })),
    );
  }
}

export const inventoryService = new InventoryService();
