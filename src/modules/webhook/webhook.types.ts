import { Field, InputType } from 'type-graphql';
import { payloadType } from '../../core/payload';
import { connectionType } from '../../core/pagination';
import { WebhookTopic } from '../outbox';
import { Webhook, WebhookDelivery } from './webhook.entity';

@InputType()
export class WebhookCreateInput {
  @Field()
  url: string;

  @Field(() => [WebhookTopic])
  topics: WebhookTopic[];
}

/** `secret`: the signing secret (whsec_…), shown once, in the answer to webhookCreate. */
export const WebhookPayload = payloadType('WebhookPayload', { webhook: Webhook, secret: String });
export type WebhookPayload = InstanceType<typeof WebhookPayload>;

export const WebhookDeliveryConnection = connectionType(WebhookDelivery, 'WebhookDelivery');
