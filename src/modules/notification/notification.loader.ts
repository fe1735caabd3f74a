import type { EntityManager } from '@mikro-orm/postgresql';
import { groupLoader } from '../../core/loader';
import { Notification } from './notification.entity';

export const createNotificationLoaders = (em: EntityManager) => ({
  notificationsByOrder: groupLoader(
    (orderIds) => em.find(Notification, { orderId: { $in: orderIds } }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
    (n) => n.orderId!,
  ),
});

declare module '../../core/context' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Loaders extends ReturnType<typeof createNotificationLoaders> {}
}
