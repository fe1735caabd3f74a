import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { byIdLoader, groupLoader } from '../../core/loader';
import { Order, OrderEvent, OrderLine, Payment } from './order.entity';

export const createOrderLoaders = (em: EntityManager) => ({
  orderById: byIdLoader(em, Order),
  linesByOrder: groupLoader(
    (orderIds) => em.find(OrderLine, { order: { $in: orderIds } }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
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
