export { Webhook, WebhookDelivery, WebhookDeliveryStatus } from './webhook.entity';
export { WebhookResolver } from './webhook.resolver';
export { webhookService } from './webhook.service';
export { webhookQueue, signedRequest, post } from './webhook.sender';
export { webhookSink } from './webhook.sink';
export { isForbiddenAddress } from './webhook.target';
