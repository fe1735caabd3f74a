import { requireAdmin } from '../../core/auth/guards';
import type { FilterQuery } from '@mikro-orm/core';
import { addressProblem, normalizeAddress, type Address } from '../../core/address';
import type { ServiceContext } from '../../core/context';
import { isUniqueViolation } from '../../core/db/violations';
import { ErrorCode, fail, ok, type Failure, type Result } from '../../core/errors';
import { transactional } from '../../core/db/transaction';
import { isUuid } from '../../core/loader';
import { Location, LocationKind } from './location.entity';
import type { LocationCreateInput, LocationUpdateInput } from './location.types';

/** A location's address, checked and normalized (its codes decide the tax of pickups and counter sales). */
function checkedAddress(address: Address | null | undefined, path: string[]): Address | undefined | Failure {
  if (!address) return undefined;
  const normalized = normalizeAddress(address);
  const problem = addressProblem(normalized);
  return problem ? fail(ErrorCode.INVALID_INPUT, problem.message, [...path, problem.field]) : normalized;
}
const isFailure = (value: unknown): value is Failure => typeof value === 'object' && value !== null && (value as Failure).ok === false;

/** A low-stock threshold: a whole number from 0 up (left out means the configured default). */
const validThreshold = (value: number | undefined): boolean => value === undefined || (Number.isInteger(value) && value >= 0 && value <= 1_000_000);

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
    if (!validThreshold(threshold)) {
      return fail(ErrorCode.INVALID_INPUT, 'A low-stock threshold is a whole number from 0 up.', ['input', 'lowStockThreshold']);
    }
    const address = checkedAddress(input.address, ['input', 'address']);
    if (isFailure(address)) return address;
    const shipEnabled = input.kind === LocationKind.WAREHOUSE || !!input.shipEnabled;
    // Written in its own fork: a refused insert must not stay queued in the request's EntityManager.
    try {
      return await transactional(ctx, async (tx) =>
        ok(tx.em.create(Location, { code, name, kind: input.kind, pickupEnabled: input.pickupEnabled, shipEnabled, address, lowStockThreshold: threshold })),
      );
    } catch (err) {
      if (isUniqueViolation(err)) return fail(ErrorCode.INVALID_INPUT, `The location code ${code} is taken.`, ['input', 'code']);
      throw err;
    }
  }

  /** ADMIN: name, pickup, shipping and address; the fields left out stay as they are. */
  async update(ctx: ServiceContext, id: string, input: LocationUpdateInput): Promise<Result<Location>> {
    requireAdmin(ctx);
    if (!isUuid(id)) return fail(ErrorCode.NOT_FOUND, 'No location has this id.', ['id']);
    const name = input.name?.trim();
    if (input.name !== undefined && input.name !== null && (!name || name.length > 200)) {
      return fail(ErrorCode.INVALID_INPUT, 'A location needs a name (at most 200 characters).', ['input', 'name']);
    }
    if (!validThreshold(input.lowStockThreshold ?? undefined)) {
      return fail(ErrorCode.INVALID_INPUT, 'A low-stock threshold is a whole number from 0 up.', ['input', 'lowStockThreshold']);
    }
    const address = checkedAddress(input.address, ['input', 'address']);
    if (isFailure(address)) return address;
    return transactional(ctx, async (tx) => {
      const location = await tx.em.findOne(Location, { id });
      if (!location) return fail(ErrorCode.NOT_FOUND, 'No location has this id.', ['id']);
      const warehouse = location.kind === LocationKind.WAREHOUSE;
      if (input.pickupEnabled && warehouse) return fail(ErrorCode.INVALID_INPUT, 'Only stores can offer pickup.', ['input', 'pickupEnabled']);
      if (input.shipEnabled === false && warehouse) return fail(ErrorCode.INVALID_INPUT, 'A warehouse always ships.', ['input', 'shipEnabled']);
      if (name) location.name = name;
      if (input.pickupEnabled !== undefined && input.pickupEnabled !== null) location.pickupEnabled = input.pickupEnabled;
      if (input.shipEnabled !== undefined && input.shipEnabled !== null) location.shipEnabled = input.shipEnabled;
      if (address) location.address = address;
      if (input.lowStockThreshold !== undefined && input.lowStockThreshold !== null) location.lowStockThreshold = input.lowStockThreshold;
      await tx.em.flush();
      return ok(location);
    });
  }
}

export const locationService = new LocationService();
