import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader, groupLoader } from '../../core/loader';
import { Customer, CustomerPreference, SavedAddress } from './customer.entity';
import { currentConsents } from './customer.sql';

export const createCustomerLoaders = (em: EntityManager) => ({
  customerById: byIdLoader(em, Customer),
  preferencesByCustomer: groupLoader(
    (customerIds) => em.find(CustomerPreference, { customer: { $in: customerIds } }, { orderBy: { key: 'asc' } }),
    (p) => p.customer.id,
  ),
  /** The default first, then newest first. */
  addressesByCustomer: groupLoader(
    (customerIds) => em.find(SavedAddress, { customer: { $in: customerIds } }, { orderBy: { isDefault: 'desc', createdAt: 'desc', id: 'desc' } }),
    (a) => a.customer.id,
  ),
  consentsByCustomer: groupLoader(
    (customerIds) => currentConsents(em, customerIds),
    (c) => c.customerId,
  ),
});

declare module '../../core/context' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Loaders extends ReturnType<typeof createCustomerLoaders> {}
}
