import { requireAdmin } from '../../core/auth/guards';
import type { FilterQuery } from '@mikro-orm/core';
import type { ServiceContext } from '../../core/context';
import { isUniqueViolation } from '../../core/db/violations';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { transactional } from '../../core/db/transaction';
import { Location, LocationKind } from './location.entity';
import type { LocationCreateInput } from './location.types';

const CODE_SHAPE = /^[A-Z0-9][A-Z0-9_-]{1,31}$/;

export class LocationService {
  async list(ctx: ServiceContext, filter: { pickupEnabled?: boolean | null }): Promise<Location[]> {
    const where: FilterQuery<Location> = {};
    if (filter.pickupEnabled !== undefined && filter.pickupEnabled !== null) where.pickupEnabled = filter.pickupEnabled;
    return ctx.em.find(Location, where, { orderBy: { code: 'asc' } });
  }

  /** ADMIN: a store or warehouse. */
  async create(ctx: ServiceContext, input: LocationCreateInput): Promise<Result<Location>> {
    requireAdmin(ctx);
    const code = input.code.trim().toUpperCase();
    const name = input.name.trim();
    if (!CODE_SHAPE.test(code)) {
      return fail(ErrorCode.INVALID_INPUT, 'A location code is 2–32 letters, digits, "-" or "_".', ['input', 'code']);
    }
    if (!name || name.length > 200) return fail(ErrorCode.INVALID_INPUT, 'A location needs a name (at most 200 characters).', ['input', 'name']);
    if (input.pickupEnabled && input.kind !== LocationKind.STORE) {
      return fail(ErrorCode.INVALID_INPUT, 'Only stores can offer pickup.', ['input', 'pickupEnabled']);
    }
    const threshold = input.lowStockThreshold ?? undefined;
    if (threshold !== undefined && (!Number.isInteger(threshold) || threshold < 0 || threshold > 1_000_000)) {
      return fail(ErrorCode.INVALID_INPUT, 'A low-stock threshold is a whole number from 0 up.', ['input', 'lowStockThreshold']);
    }
    const shipEnabled = input.kind === LocationKind.WAREHOUSE || !!input.shipEnabled;
    // Written in its own fork: a refused insert must not stay queued in the request's EntityManager.
    try {
      return await transactional(ctx, async (tx) => ok(tx.em.create(Location, { code, name, kind: input.kind, pickupEnabled: input.pickupEnabled, shipEnabled, lowStockThreshold: threshold })));
    } catch (err) {
      if (isUniqueViolation(err)) return fail(ErrorCode.INVALID_INPUT, `The location code ${code} is taken.`, ['input', 'code']);
      throw err;
    }
  }
}

export const locationService = new LocationService();
