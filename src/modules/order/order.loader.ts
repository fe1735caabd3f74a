import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { byIdLoader, groupLoader } from '../../core/loader';
import { Order, OrderEvent, Payment, type OrderLineView } from './order.entity';
import { linesOfOrders } from './order.sql';

export const createOrderLoaders = (em: EntityManager) => ({
  orderById: byIdLoader(em, Order),
  /**
   * An order's lines, for reading only. Plain rows rather than managed entities: a pickup queue
   * lists hundreds of lines, and tracked entities for them cost more than the rest of the request.
   */
  linesByOrder: groupLoader(
    (orderIds): Promise<OrderLineView[]> => linesOfOrders(em, orderIds),
    (line) => line.order.id,
  ),
  eventsByOrder: groupLoader(
    (orderIds) => em.find(OrderEvent, { order: { $in: orderIds } }, { orderBy: { at: 'asc', id: 'asc' } }),
    (event) => event.order.id,
  ),
  paymentByOrder: new DataLoader<string, Payment | undefined>(async (orderIds) => {
    const payments = await em.find(Payment, { order: { $in: [...orderIds] } });
    const byOrder = new Map(payments.map((p) => [p.order.id, p]));
    return orderIds.map((id) => byOrder.get(id));
  }),
});

declare module '../../core/context' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Loaders extends ReturnType<typeof createOrderLoaders> {}
}
