import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../core/context';
import { Order } from '../order';
import { Notification } from './notification.entity';

@Resolver(() => Order)
export class OrderNotificationsResolver {
  /**
   * Whoever may read the order reads its messages, but only staff and the owner: a guest who
   * reached an order learns nothing of where messages went.
   */
  @FieldResolver(() => [Notification], { description: 'Staff and the owner: the messages sent about this order.' })
  async notifications(@Root() order: Order, @Ctx() ctx: RequestContext): Promise<Notification[]> {
    const { actor } = ctx;
    const owner = actor.kind === 'customer' && order.customer?.id === actor.customerId;
    if (!owner && actor.kind !== 'staff') return [];
    return ctx.loaders.notificationsByOrder.load(order.id);
  }
}
