import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { LoyaltyAccount } from './loyalty.entity';

export const createLoyaltyLoaders = (em: EntityManager) => ({
  loyaltyAccountByCustomer: new DataLoader<string, LoyaltyAccount | undefined>(async (customerIds) => {
    const accounts = await em.find(LoyaltyAccount, { customer: { $in: [...customerIds] } });
    const byCustomer = new Map(accounts.map((a) => [a.customer.id, a]));
    return customerIds.map((id) => byCustomer.get(id));
  }),
});

declare module '../../core/context' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Loaders extends ReturnType<typeof createLoyaltyLoaders> {}
}
