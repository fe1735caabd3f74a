import type { Address } from '../../core/address';
import { requireStaff } from '../../core/auth/guards';
import { parsePhone } from '../../core/contact';
import type { ServiceContext } from '../../core/context';
import { transactional } from '../../core/db/transaction';
import { ErrorCode, fail, forbidden, ok, unauthenticated, type Result } from '../../core/errors';
import { isUuid } from '../../core/loader';
import { Location, LocationKind } from '../location/location.entity';
import { ConsentPurpose, ConsentRecord, Customer, CustomerPreference, SavedAddress } from './customer.entity';
import type { CustomerUpdateInput, PreferenceInput } from './customer.types';

/** The languages messages are written in. */
export const LANGUAGES = ['en', 'it', 'ca', 'pl'] as const;

export const PREFERENCE_LIMITS = { keys: 50, keyLength: 64, valueLength: 500 } as const;
export const MAX_ADDRESSES = 20;
const ADDRESS_FIELD_LENGTH = 200;

/**
 * Whose profile a request may change: a customer their own (on any channel); staff the customer
 * they serve, named by customerId. Throws the auth error; returns the customer's id.
 */
function profileOwner(ctx: ServiceContext, customerId?: string | null): string {
  const { actor } = ctx;
  if (actor.kind === 'guest') throw unauthenticated('Sign in to change a profile.');
  if (actor.kind === 'customer') {
    if (customerId && customerId !== actor.customerId) throw forbidden('A customer changes only their own profile.');
    return actor.customerId;
  }
  requireStaff(ctx);
  if (!customerId) throw forbidden('Staff name the customer they serve (customerId).');
  return customerId;
}

/** The signed-in customer (address book and consents are theirs alone to change). */
function selfOnly(ctx: ServiceContext): string {
  if (ctx.actor.kind === 'guest') throw unauthenticated('Sign in first.');
  if (ctx.actor.kind !== 'customer') throw forbidden('Only the customer can do this.');
  return ctx.actor.customerId;
}

const notFound = () => fail(ErrorCode.NOT_FOUND, 'No customer has this id.', ['customerId']);

/** The input's preferences, checked and trimmed; each key once. */
function checkPreferences(preferences: PreferenceInput[]): Result<Map<string, string>> {
  if (preferences.length > PREFERENCE_LIMITS.keys)
    return fail(ErrorCode.INVALID_INPUT, `At most ${PREFERENCE_LIMITS.keys} preferences.`, ['input', 'preferences']);
  const byKey = new Map<string, string>();
  for (const [i, { key, value }] of preferences.entries()) {
    const k = key.trim();
    if (!k || k.length > PREFERENCE_LIMITS.keyLength) {
      return fail(ErrorCode.INVALID_INPUT, `A preference key has 1 to ${PREFERENCE_LIMITS.keyLength} characters.`, ['input', 'preferences', i, 'key']);
    }
    if (value.length > PREFERENCE_LIMITS.valueLength) {
      return fail(ErrorCode.INVALID_INPUT, `A preference value has at most ${PREFERENCE_LIMITS.valueLength} characters.`, ['input', 'preferences', i, 'value']);
    }
    if (byKey.has(k)) return fail(ErrorCode.INVALID_INPUT, `The key ${k} is given twice.`, ['input', 'preferences', i, 'key']);
    byKey.set(k, value.trim());
  }
  return ok(byKey);
}

/** A postal address, trimmed and checked (the same rules as a cart's shipping address). */
export function checkAddress(input: Address, path: (string | number)[]): Result<Address> {
  const address: Address = {
    name: input.name?.trim() || undefined,
    line1: input.line1.trim(),
    line2: input.line2?.trim() || undefined,
    city: input.city.trim(),
    postalCode: input.postalCode.trim(),
    countryCode: input.countryCode.trim().toUpperCase(),
  };
  for (const key of ['line1', 'city', 'postalCode'] as const) {
    if (!address[key]) return fail(ErrorCode.INVALID_INPUT, `The address needs ${key}.`, [...path, key]);
  }
  for (const key of ['name', 'line1', 'line2', 'city', 'postalCode'] as const) {
    if ((address[key]?.length ?? 0) > ADDRESS_FIELD_LENGTH)
      return fail(ErrorCode.INVALID_INPUT, `${key} has at most ${ADDRESS_FIELD_LENGTH} characters.`, [...path, key]);
  }
  if (!/^[A-Z]{2}$/.test(address.countryCode)) return fail(ErrorCode.INVALID_INPUT, 'countryCode is a two-letter ISO code.', [...path, 'countryCode']);
  return ok(address);
}

export class CustomerProfileService {
  /**
   * Name, phone, language, preferred store and preferences, by the customer or by staff serving
   * them. Everything is checked before anything is written; one transaction.
   */
  async update(ctx: ServiceContext, input: CustomerUpdateInput, customerId?: string | null): Promise<Result<Customer>> {
    const id = profileOwner(ctx, customerId);
    if (!isUuid(id)) return notFound();
    const name = input.name?.trim();
    if (name !== undefined && name.length > 200) return fail(ErrorCode.INVALID_INPUT, 'A name has at most 200 characters.', ['input', 'name']);
    let phone: string | null | undefined;
    if (input.phone !== undefined && input.phone !== null) {
      phone = input.phone.trim() === '' ? null : parsePhone(input.phone);
      if (phone === undefined) return fail(ErrorCode.INVALID_INPUT, 'Enter the phone number with its country code, e.g. +34 600 123 456.', ['input', 'phone']);
    }
    const language = input.language?.trim().toLowerCase();
    if (language !== undefined && !(LANGUAGES as readonly string[]).includes(language)) {
      return fail(ErrorCode.INVALID_INPUT, `The language is one of ${LANGUAGES.join(', ')}.`, ['input', 'language']);
    }
    const preferences = input.preferences ? checkPreferences(input.preferences) : ok(undefined);
    if (!preferences.ok) return preferences;
    const locationId = input.preferredLocationId;
    return transactional(ctx, async (tx) => {
      const customer = await tx.em.findOne(Customer, { id, erasedAt: null });
      if (!customer) return notFound();
      if (name !== undefined) customer.name = name || undefined;
      if (phone !== undefined) customer.phone = phone ?? undefined;
      if (language !== undefined) customer.language = language;
      if (locationId !== undefined && locationId !== null) {
        const location = isUuid(locationId) ? await tx.em.findOne(Location, { id: locationId }) : null;
        if (!location || location.kind !== LocationKind.STORE) return fail(ErrorCode.NOT_FOUND, 'No store has this id.', ['input', 'preferredLocationId']);
        customer.preferredLocation = tx.em.getReference(Location, location.id, { wrapped: true });
      }
      if (preferences.value?.size) {
        const existing = await tx.em.find(CustomerPreference, { customer: id });
        const byKey = new Map(existing.map((p) => [p.key, p]));
        for (const [key, value] of preferences.value) {
          const row = byKey.get(key);
          if (!value) {
            if (row) tx.em.remove(row);
            byKey.delete(key);
          } else if (row) {
            row.value = value;
            row.updatedAt = new Date();
          } else {
            byKey.set(key, tx.em.create(CustomerPreference, { customer: id, key, value }));
          }
        }
        if (byKey.size > PREFERENCE_LIMITS.keys)
          return fail(ErrorCode.INVALID_INPUT, `A customer has at most ${PREFERENCE_LIMITS.keys} preferences.`, ['input', 'preferences']);
      }
      await tx.em.flush();
      return ok(customer);
    });
  }

  /** The signed-in customer saves an address; the first one, or one saved with isDefault, becomes the default. */
  async addAddress(ctx: ServiceContext, input: Address, isDefault?: boolean | null): Promise<Result<Customer>> {
    const id = selfOnly(ctx);
    const address = checkAddress(input, ['input']);
    if (!address.ok) return address;
    return transactional(ctx, async (tx) => {
      const customer = await tx.em.findOne(Customer, { id, erasedAt: null });
      if (!customer) return notFound();
      const count = await tx.em.count(SavedAddress, { customer: id });
      if (count >= MAX_ADDRESSES) return fail(ErrorCode.INVALID_INPUT, `An address book holds at most ${MAX_ADDRESSES} addresses.`, ['input']);
      const makeDefault = Boolean(isDefault) || count === 0;
      // The old default gives way first: at most one default is a unique index.
      if (makeDefault) await tx.em.nativeUpdate(SavedAddress, { customer: id, isDefault: true }, { isDefault: false });
      tx.em.create(SavedAddress, { customer: id, address: address.value, isDefault: makeDefault });
      await tx.em.flush();
      return ok(customer);
    });
  }

  /** Removes one of the customer's own addresses; when it was the default, the newest left takes over. */
  async removeAddress(ctx: ServiceContext, addressId: string): Promise<Result<Customer>> {
    const id = selfOnly(ctx);
    const missing = () => fail(ErrorCode.NOT_FOUND, 'No saved address of yours has this id.', ['addressId']);
    if (!isUuid(addressId)) return missing();
    return transactional(ctx, async (tx) => {
      const saved = await tx.em.findOne(SavedAddress, { id: addressId, customer: id });
      if (!saved) return missing();
      await tx.em.remove(saved).flush();
      if (saved.isDefault) {
        const next = await tx.em.findOne(SavedAddress, { customer: id }, { orderBy: { createdAt: 'desc', id: 'desc' } });
        if (next) next.isDefault = true;
      }
      await tx.em.flush();
      return ok(await tx.em.findOneOrFail(Customer, { id }));
    });
  }

  /** The customer says yes or no to one purpose; the statement is added to the history. */
  async setConsent(ctx: ServiceContext, purpose: ConsentPurpose, granted: boolean): Promise<Result<Customer>> {
    const id = selfOnly(ctx);
    return transactional(ctx, async (tx) => {
      const customer = await tx.em.findOne(Customer, { id, erasedAt: null });
      if (!customer) return notFound();
      tx.em.create(ConsentRecord, { customer: id, purpose, granted, channel: tx.channel });
      await tx.em.flush();
      return ok(customer);
    });
  }
}

export const customerProfileService = new CustomerProfileService();
