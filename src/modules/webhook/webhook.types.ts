import { Field, InputType, ObjectType } from 'type-graphql';
import { UserError } from '../../core/errors';
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

@ObjectType()
export class WebhookPayload {
  @Field(() => Webhook, { nullable: true })
  webhook?: Webhook;

  @Field(() => String, { nullable: true, description: 'The signing secret (whsec_...): shown once, in the answer to webhookCreate.' })
  secret?: string;

  @Field(() => [UserError])
  userErrors: UserError[];
}

export const WebhookDeliveryConnection = connectionType(WebhookDelivery, 'WebhookDelivery');
