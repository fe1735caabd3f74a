import type { NonEmptyArray } from 'type-graphql';
import { SYSTEM } from '../core/auth/actor';
import { Session } from '../core/auth/session.entity';
import { FailureCount } from '../core/security/failure-count.entity';
import { SessionResolver } from '../core/auth/session.resolver';
import { Channel } from '../core/channel';
import type { Config } from '../core/config';
import type { ServiceContext } from '../core/context';
import type { Orm } from '../core/db/orm';
import type { EventBus } from '../core/events';
import type { Job } from '../core/jobs';
import type { Logger } from '../core/logger';
import { Cart, CartFulfillmentResolver, CartLine, CartLineResolver, CartResolver, cartService, CustomerCartResolver } from './cart';
import { Collection, CollectionProduct, CollectionResolver, Product, ProductResolver, ProductVariant, ProductVariantResolver } from './catalog';
import { ConsentRecord, Customer, CustomerAccess, CustomerPreference, CustomerResolver, PasswordResetToken, SavedAddress } from './customer';
import { CoPurchase, CustomerRecommendationsResolver, PurchaseToLearn, recommendationService, VariantSales } from './recommendation';
import {
  InventoryMovement,
  StockAvailabilityResolver,
  StockLevel,
  StockTransfer,
  StockTransferLine,
  StockTransferLineResolver,
  StockTransferResolver,
  VariantStockResolver,
} from './inventory';
import { Location, LocationResolver } from './location';
import {
  CustomerOrdersResolver,
  IdempotencyRecord,
  LoyaltyTransactionOrderResolver,
  Order,
  OrderEvent,
  OrderFulfillmentResolver,
  OrderLine,
  OrderLineResolver,
  OrderResolver,
  fulfilmentService,
  Payment,
  PaymentResolver,
} from './order';
import { CustomerLoyaltyResolver, LoyaltyAccount, LoyaltyAccountResolver, LoyaltyTransaction } from './loyalty';
import { Promotion, PromotionResolver, PromotionUsage, TaxRate, TaxRateResolver } from './pricing';
import { Staff, StaffResolver } from './staff';
import { Notification, notificationQueue, notificationSink, OrderNotificationsResolver } from './notification';
import { createOutboxMetrics, Dispatcher, OutboxEvent, pruneOldEvents, type OutboxMetrics } from './outbox';
import { PaymentCall, paymentCallQueue } from './order';
import { Webhook, WebhookDelivery, WebhookResolver, webhookQueue, webhookSink } from './webhook';
import type { Registry } from 'prom-client';

/** Every table the service owns. */
export const entities = [
  Session,
  FailureCount,
  Location,
  Product,
  ProductVariant,
  Collection,
  CollectionProduct,
  StockLevel,
  InventoryMovement,
  StockTransfer,
  StockTransferLine,
  Customer,
  CustomerPreference,
  SavedAddress,
  ConsentRecord,
  PasswordResetToken,
  CustomerAccess,
  Staff,
  LoyaltyAccount,
  LoyaltyTransaction,
  Cart,
  CartLine,
  Order,
  OrderLine,
  OrderEvent,
  Payment,
  IdempotencyRecord,
  Promotion,
  PromotionUsage,
  TaxRate,
  CoPurchase,
  VariantSales,
  PurchaseToLearn,
  PaymentCall,
  OutboxEvent,
  Webhook,
  WebhookDelivery,
  Notification,
];

/** Every resolver of the public API. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [
  SessionResolver,
  LocationResolver,
  ProductResolver,
  ProductVariantResolver,
  CollectionResolver,
  VariantStockResolver,
  StockAvailabilityResolver,
  StockTransferResolver,
  StockTransferLineResolver,
  CustomerResolver,
  StaffResolver,
  CustomerLoyaltyResolver,
  LoyaltyAccountResolver,
  CartResolver,
  CartLineResolver,
  CartFulfillmentResolver,
  CustomerCartResolver,
  OrderResolver,
  OrderFulfillmentResolver,
  OrderLineResolver,
  PaymentResolver,
  CustomerOrdersResolver,
  LoyaltyTransactionOrderResolver,
  PromotionResolver,
  TaxRateResolver,
  CustomerRecommendationsResolver,
  WebhookResolver,
  OrderNotificationsResolver,
];

/** The timed work of every module; each job is safe to run in many instances at once. */
export function createJobs(orm: Orm, config: Config, log: Logger, events: EventBus): Job[] {
  const system = (name: string): ServiceContext => ({ requestId: `job:${name}`, em: orm.em.fork(), actor: SYSTEM, channel: Channel.WEB, config, log, events });
  return [
    { name: 'abandon-idle-carts', everyMs: config.jobIntervalMs, run: () => cartService.abandonIdleCarts(system('abandon-idle-carts')) },
    { name: 'learn-co-purchases', everyMs: config.jobIntervalMs, run: () => recommendationService.learn(system('learn-co-purchases')) },
    { name: 'expire-uncollected-pickups', everyMs: config.jobIntervalMs, run: () => fulfilmentService.expireOverdue(system('expire-uncollected-pickups')) },
    { name: 'remind-uncollected-pickups', everyMs: config.jobIntervalMs, run: () => fulfilmentService.remindUncollected(system('remind-uncollected-pickups')) },
    { name: 'prune-old-events', everyMs: config.jobIntervalMs, run: () => pruneOldEvents(system('prune-old-events')) },
  ];
}

/**
 * The outbox dispatcher of this instance, with every destination: webhooks, customer messages
 * and payment calls. `registry` receives its metrics.
 */
export function createDispatcher(orm: Orm, config: Config, log: Logger, events: EventBus, listenUrl: string | undefined, registry?: Registry): Dispatcher {
  const queues = [webhookQueue(orm, config), notificationQueue(orm, config), paymentCallQueue(orm, config)];
  const metrics: OutboxMetrics | undefined = registry ? createOutboxMetrics(registry, orm, queues) : undefined;
  return new Dispatcher({
    orm,
    system: () => ({ requestId: 'outbox', em: orm.em.fork(), actor: SYSTEM, channel: Channel.WEB, config, log, events }),
    log,
    sinks: [webhookSink, notificationSink(config, metrics)],
    queues,
    concurrency: config.outbox.concurrency,
    pollMs: config.outbox.pollMs,
    metrics,
    listenUrl,
  });
}
export { createLoaders } from './loaders';
