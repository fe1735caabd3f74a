export { Notification, NotificationChannel, NotificationStatus } from './notification.entity';
export { OrderNotificationsResolver } from './notification.resolver';
export { notificationQueue, notificationSink } from './notification.queue';
export { closeTransports, sendEmail, sendSms } from './notification.channels';
export { render } from './notification.templates';
export { createNotificationLoaders } from './notification.loader';
