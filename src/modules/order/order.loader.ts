import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { byIdLoader, groupLoader } from '../../core/loader';
import type { Channel } from '../../core/channel';
import { Order, OrderEvent, Payment, type OrderLineView } from './order.entity';

interface LineRow {
  id: string;
  order_id: string;
  variant_id: string;
  sku: string;
  title: string;
  quantity: number;
  returned_quantity: number;
  unit_price: number;
  discount_total: number;
  loyalty_discount: number;
  tax_total: number;
  total: number;
  channel: Channel;
}

export const createOrderLoaders = (em: EntityManager) => ({
  orderById: byIdLoader(em, Order),
  /**
   * An order's lines, for reading only. Plain rows rather than managed entities: a pickup queue
   * lists hundreds of lines, and tracked entities for them cost more than the rest of the request.
   */
  linesByOrder: groupLoader(
    async (orderIds): Promise<OrderLineView[]> => {
      const rows = await em.execute<LineRow[]>(
        `select id, order_id, variant_id, sku, title, quantity, returned_quantity, unit_price, discount_total, loyalty_discount, tax_total, total, channel from order_line
          where order_id in (${orderIds.map(() => '?').join(', ')}) order by created_at asc, id asc`,
        orderIds,
      );
      return rows.map((r) => ({
        id: r.id,
        order: { id: r.order_id },
        variant: { id: r.variant_id },
        sku: r.sku,
        title: r.title,
        quantity: r.quantity,
        returnedQuantity: r.returned_quantity,
        unitPrice: r.unit_price,
        discountTotal: r.discount_total,
        loyaltyDiscount: r.loyalty_discount,
        taxTotal: r.tax_total,
        total: r.total,
        channel: r.channel,
      }));
    },
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
