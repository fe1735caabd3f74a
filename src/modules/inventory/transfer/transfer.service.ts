import { LockMode } from '@mikro-orm/core';
import { requireStaff } from '../../../core/auth/guards';
import type { ServiceContext } from '../../../core/context';
import { transactional } from '../../../core/db/transaction';
import { ErrorCode, fail, ok, type Result } from '../../../core/errors';
import { isUuid } from '../../../core/loader';
import { catalogService } from '../../catalog';
import { Location } from '../../location/location.entity';
import { MovementKind, StockTransfer, StockTransferLine, StockTransferStatus } from '../inventory.entity';
import { inventoryService, type StockChange } from '../inventory.service';

export interface TransferLineInput {
  sku: string;
  quantity: number;
}

export interface TransferCreateInput {
  fromLocationId: string;
  toLocationId: string;
  lines: TransferLineInput[];
}

const MAX_LINES = 200;
const MAX_QUANTITY = 1_000_000;

/** Staff of `locationId` (ADMIN: any), or the system (fixtures, tools); the staff id signs the ledger rows. */
function staffOf(ctx: ServiceContext, locationId: string): string | undefined {
  return ctx.actor.kind === 'system' ? undefined : requireStaff(ctx, { locationId }).staffId;
}

const notFound = () => fail(ErrorCode.NOT_FOUND, 'No stock transfer has this id.', ['id']);
const invalidState = (transfer: StockTransfer, action: string) =>
  fail(ErrorCode.INVALID_STATE, `This transfer is ${transfer.status}: it cannot be ${action}.`, ['id']);

/**
 * Stock moved between locations. Creating writes only the plan; shipping takes the units off the
 * sender's shelf (never units reserved for orders) and puts them in transit; receiving puts what
 * arrived on the receiver's shelf and records the rest as lost. Every unit is in exactly one of
 * these places at every moment (see the invariants in core/db/invariants.ts).
 */
export class TransferService {
  /** Staff of the sending store, or ADMIN: a DRAFT transfer; nothing moves yet. */
  async create(ctx: ServiceContext, input: TransferCreateInput): Promise<Result<StockTransfer>> {
    const staffId = staffOf(ctx, input.fromLocationId);
    if (input.fromLocationId === input.toLocationId) return fail(ErrorCode.INVALID_INPUT, 'A transfer goes to another location.', ['input', 'toLocationId']);
    if (input.lines.length === 0 || input.lines.length > MAX_LINES) {
      return fail(ErrorCode.INVALID_INPUT, `A transfer has 1 to ${MAX_LINES} lines.`, ['input', 'lines']);
    }
    const seen = new Set<string>();
    for (const [i, line] of input.lines.entries()) {
      if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
        return fail(ErrorCode.INVALID_QUANTITY, 'A transfer line moves at least one unit.', ['input', 'lines', i, 'quantity']);
      }
      const sku = line.sku.trim();
      if (seen.has(sku)) return fail(ErrorCode.INVALID_INPUT, `The SKU ${sku} is on two lines.`, ['input', 'lines', i, 'sku']);
      seen.add(sku);
    }
    const ids = [input.fromLocationId, input.toLocationId];
    const locations = ids.every(isUuid) ? await ctx.em.find(Location, { id: { $in: ids } }) : [];
    for (const [key, id] of [
      ['fromLocationId', input.fromLocationId],
      ['toLocationId', input.toLocationId],
    ] as const) {
      if (!locations.some((l) => l.id === id)) return fail(ErrorCode.NOT_FOUND, 'No location has this id.', ['input', key]);
    }
    const variants = await catalogService.variantsBySku(ctx, [...seen]);
    for (const [i, line] of input.lines.entries()) {
      if (!variants.has(line.sku.trim())) return fail(ErrorCode.NOT_FOUND, `No product variant has the SKU ${line.sku}.`, ['input', 'lines', i, 'sku']);
    }
    return transactional(ctx, async (tx) => {
      const transfer = tx.em.create(StockTransfer, { fromLocation: input.fromLocationId, toLocation: input.toLocationId, createdBy: staffId });
      input.lines.forEach((line, position) =>
        tx.em.create(StockTransferLine, { transfer, variant: variants.get(line.sku.trim())!, position, quantity: line.quantity }),
      );
      await tx.em.flush();
      return ok(transfer);
    });
  }

  /**
   * Staff of the sending store, or ADMIN: the units leave the sender, one ledger row per line.
   * All or nothing: a line short of units (reserved units do not count) refuses the whole transfer.
   */
  ship(ctx: ServiceContext, id: string): Promise<Result<StockTransfer>> {
    return this.change(ctx, id, 'from', async (tx, transfer, lines, staffId) => {
      if (transfer.status !== StockTransferStatus.DRAFT) return invalidState(transfer, 'shipped');
      const from = transfer.fromLocation.id;
      const changes: StockChange[] = lines.map((l) => ({
        locationId: from,
        variantId: l.variant.id,
        kind: MovementKind.TRANSFER_OUT,
        onHandDelta: -l.quantity,
        reservedDelta: 0,
        transferId: transfer.id,
        staffId,
      }));
      const stock = await inventoryService.apply(tx, changes);
      if (!stock.ok) {
        const { index, available } = stock.details!;
        return fail(ErrorCode.OUT_OF_STOCK, `Only ${available} of ${lines[index].variant.getEntity().sku} can leave now.`, ['lines', index]);
      }
      // The receiver's levels exist from now on, so the units show there as incoming.
      await inventoryService.ensureLevels(
        tx,
        lines.map((l) => ({ locationId: transfer.toLocation.id, variantId: l.variant.id })),
      );
      transfer.status = StockTransferStatus.IN_TRANSIT;
      transfer.shippedAt = new Date();
      return ok();
    });
  }

  /**
   * Staff of the receiving store, or ADMIN: the quantities counted in, per SKU (a SKU not named
   * arrived with none). What arrived goes on the shelf; what did not is recorded as a loss.
   */
  receive(ctx: ServiceContext, id: string, received: TransferLineInput[]): Promise<Result<StockTransfer>> {
    return this.change(ctx, id, 'to', async (tx, transfer, lines, staffId) => {
      if (transfer.status !== StockTransferStatus.IN_TRANSIT) return invalidState(transfer, 'received');
      const bySku = new Map(lines.map((l) => [l.variant.getEntity().sku, l]));
      const counted = new Map<StockTransferLine, number>();
      for (const [i, input] of received.entries()) {
        const line = bySku.get(input.sku.trim());
        if (!line) return fail(ErrorCode.INVALID_INPUT, `The SKU ${input.sku} is not on this transfer.`, ['lines', i, 'sku']);
        if (counted.has(line)) return fail(ErrorCode.INVALID_INPUT, `The SKU ${input.sku} is given twice.`, ['lines', i, 'sku']);
        if (!Number.isInteger(input.quantity) || input.quantity < 0)
          return fail(ErrorCode.INVALID_QUANTITY, 'A received quantity is a whole number from 0 up.', ['lines', i, 'quantity']);
        if (input.quantity > line.quantity)
          return fail(ErrorCode.INVALID_QUANTITY, `Only ${line.quantity} of ${input.sku} were sent.`, ['lines', i, 'quantity']);
        counted.set(line, input.quantity);
      }
      const to = transfer.toLocation.id;
      const changes: StockChange[] = [];
      for (const line of lines) {
        line.receivedQuantity = counted.get(line) ?? 0;
        const base = { locationId: to, variantId: line.variant.id, reservedDelta: 0, transferId: transfer.id, staffId };
        changes.push({ ...base, kind: MovementKind.TRANSFER_IN, onHandDelta: line.quantity });
        const missing = line.quantity - line.receivedQuantity;
        if (missing > 0) changes.push({ ...base, kind: MovementKind.TRANSFER_LOSS, onHandDelta: -missing });
      }
      const stock = await inventoryService.apply(tx, changes, { create: true });
      if (!stock.ok) throw new Error(`transfer ${transfer.id} could not be received: ${stock.errors[0].message}`);
      transfer.status = StockTransferStatus.RECEIVED;
      transfer.receivedAt = new Date();
      return ok();
    });
  }

  /** Staff of that location (ADMIN: any): its transfers out and in, newest first. */
  list(ctx: ServiceContext, locationId: string, statuses?: StockTransferStatus[] | null): Promise<StockTransfer[]> {
    requireStaff(ctx, { locationId });
    if (!isUuid(locationId)) return Promise.resolve([]);
    return ctx.em.find(
      StockTransfer,
      { $or: [{ fromLocation: locationId }, { toLocation: locationId }], ...(statuses?.length ? { status: { $in: statuses } } : {}) },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: 200 },
    );
  }

  /** Locks the transfer, checks who asks (staff of its sender or receiver), applies `work`, commits. */
  private async change(
    ctx: ServiceContext,
    id: string,
    side: 'from' | 'to',
    work: (tx: ServiceContext, transfer: StockTransfer, lines: StockTransferLine[], staffId: string | undefined) => Promise<Result<void>>,
  ): Promise<Result<StockTransfer>> {
    if (!isUuid(id)) return notFound();
    return transactional(ctx, async (tx) => {
      const transfer = await tx.em.findOne(StockTransfer, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!transfer) return notFound();
      const staffId = staffOf(tx, side === 'from' ? transfer.fromLocation.id : transfer.toLocation.id);
      const lines = await tx.em.find(StockTransferLine, { transfer: transfer.id }, { orderBy: { position: 'asc' }, populate: ['variant'] });
      const done = await work(tx, transfer, lines, staffId);
      if (!done.ok) return done;
      await tx.em.flush();
      return ok(transfer);
    });
  }
}

export const transferService = new TransferService();
