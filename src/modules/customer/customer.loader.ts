import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../core/loader';
import { Customer } from './customer.entity';

export const createCustomerLoaders = (em: EntityManager) => ({
  customerById: byIdLoader(em, Customer),
});
