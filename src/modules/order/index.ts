export { IdempotencyRecord, Order, OrderEvent, OrderLine, OrderStatus, Payment, PaymentMethod, PaymentStatus } from './order.entity';
export { checkoutService } from './checkout.service';
export { orderService } from './order.service';
export { returnsService } from './returns.service';
export { usePaymentProvider, type PaymentProvider } from './payment.provider';
export { createOrderLoaders } from './order.loader';
export {
  CustomerOrdersResolver,
  LoyaltyTransactionOrderResolver,
  OrderFulfillmentResolver,
  OrderLineResolver,
  OrderResolver,
  PaymentResolver,
} from './order.resolver';
export { PaymentCall, PaymentCallKind, paymentCallQueue } from './payment.calls';
