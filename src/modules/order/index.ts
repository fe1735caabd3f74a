export { IdempotencyRecord, Order, OrderEvent, OrderLine, OrderStatus, Payment, PaymentMethod, PaymentStatus } from './order.entity';
export { checkoutService } from './checkout/checkout.service';
export { fulfilmentService } from './fulfilment/fulfilment.service';
export { returnsService } from './returns/returns.service';
export { usePaymentProvider, type PaymentProvider } from './payment/payment.provider';
export { createOrderLoaders } from './order.loader';
export { attachGuestOrders, eraseOrderAddresses } from './order.sql';
export {
  CustomerOrdersResolver,
  LoyaltyTransactionOrderResolver,
  OrderFulfillmentResolver,
  OrderLineResolver,
  OrderResolver,
  PaymentResolver,
} from './order.resolver';
export { PaymentCall, PaymentCallKind, paymentCallQueue } from './payment/payment.calls';
