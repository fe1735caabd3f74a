import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { byIdLoader, groupLoader } from '../../core/loader';
import { Location } from '../location/location.entity';
import { Cart, CartLine, CartStatus } from './cart.entity';

export const createCartLoaders = (em: EntityManager) => ({
  cartById: byIdLoader(em, Cart),
  /** With their variants in the same statement: whoever reads lines prices them next. */
  linesByCart: groupLoader<CartLine>(
    (cartIds) => em.find(CartLine, { cart: { $in: cartIds } }, { orderBy: { createdAt: 'asc', id: 'asc' }, populate: ['variant'] }),
    (line) => line.cart.id,
  ),
  activeCartByCustomer: new DataLoader<string, Cart | undefined>(async (customerIds) => {
    const carts = await em.find(Cart, { customer: { $in: [...customerIds] }, status: CartStatus.ACTIVE });
    const byCustomer = new Map(carts.map((c) => [c.customer!.id, c]));
    return customerIds.map((id) => byCustomer.get(id));
  }),
  /** The stores offering pickup: read once per request, whatever the number of carts asking. */
  pickupStores: new DataLoader<'all', Location[]>(async (keys) => {
    const stores = await em.find(Location, { pickupEnabled: true }, { orderBy: { code: 'asc' } });
    return keys.map(() => stores);
  }),
});

declare module '../../core/context' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Loaders extends ReturnType<typeof createCartLoaders> {}
}
