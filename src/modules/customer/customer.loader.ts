import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../core/loader';
import { Customer } from './customer.entity';

export const createCustomerLoaders = (em: EntityManager) => ({
  customerById: byIdLoader(em, Customer),
});

declare module '../../core/context' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Loaders extends ReturnType<typeof createCustomerLoaders> {}
}
