import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { OutboxEvent, WebhookTopic } from '../outbox';

export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}
registerEnumType(WebhookDeliveryStatus, { name: 'WebhookDeliveryStatus' });

@ObjectType({
  description:
    'Deliveries follow the Standard Webhooks specification: headers webhook-id (the event id, the\nsame on every retry), webhook-timestamp and webhook-signature (v1, HMAC-SHA256 with the\nsecret); the body is {"type": "<WebhookTopic>", "timestamp": "...", "data": {...}}, and for\norder topics data.order holds at least id, number and status.',
})
@Entity()
export class Webhook {
  [OptionalProps]?: 'active' | 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ length: 2000 })
  url: string;

  @Field(() => [WebhookTopic])
  @Property({ type: ArrayType })
  topics: WebhookTopic[];

  /** The signing secret (whsec_…): shown once, when the webhook is created. */
  @Property({ length: 100, lazy: true })
  secret: string;

  @Field()
  @Property()
  active: boolean = true;

  @Field()
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  /** A deleted webhook stays, inactive, so its delivery log can still be read in the database. */
  @Property({ type: 'timestamptz', nullable: true })
  deletedAt?: Date;
}

/**
 * One event for one webhook: the unit that is retried and logged. Claimed by the outbox
 * dispatcher (status, attempts, next_attempt_at are its bookkeeping columns).
 */
@ObjectType()
@Entity()
@Unique({ properties: ['event', 'webhook'] })
@Index({ properties: ['webhook', 'createdAt', 'id'] })
@Index({ name: 'webhook_delivery_due', expression: `create index "webhook_delivery_due" on "webhook_delivery" ("next_attempt_at") where "status" = 'PENDING'` })
export class WebhookDelivery {
  [OptionalProps]?: 'attempts' | 'createdAt' | 'status';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => OutboxEvent, { ref: true, index: false, deleteRule: 'cascade' })
  event: Ref<OutboxEvent>;

  @ManyToOne(() => Webhook, { ref: true, index: false, deleteRule: 'cascade' })
  webhook: Ref<Webhook>;

  /** The event's id: the webhook-id header of every attempt. */
  @Field(() => ID)
  get eventId(): string {
    return this.event.id;
  }

  @Field(() => WebhookTopic)
  @Enum({ items: () => WebhookTopic, nativeEnumName: 'webhook_topic' })
  topic: WebhookTopic;

  @Field(() => WebhookDeliveryStatus)
  @Enum({ items: () => WebhookDeliveryStatus, nativeEnumName: 'webhook_delivery_status' })
  status: WebhookDeliveryStatus = WebhookDeliveryStatus.PENDING;

  @Field(() => Int)
  @Property()
  attempts: number = 0;

  @Field(() => Int, { nullable: true })
  @Property({ nullable: true })
  lastResponseStatus?: number;

  @Property({ length: 500, nullable: true })
  lastError?: string;

  @Field({ nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  lastAttemptAt?: Date;

  @Field({ nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  nextAttemptAt?: Date;

  @Field({ nullable: true, name: 'deliveredAt' })
  @Property({ type: 'timestamptz', nullable: true })
  completedAt?: Date;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
