import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { OutboxEvent } from '../outbox';

export enum NotificationChannel {
  EMAIL = 'EMAIL',
  SMS = 'SMS',
}
registerEnumType(NotificationChannel, { name: 'NotificationChannel' });

export enum NotificationStatus {
  PENDING = 'PENDING',
  SENT = 'SENT',
  FAILED = 'FAILED',
  SKIPPED = 'SKIPPED',
}
registerEnumType(NotificationStatus, { name: 'NotificationStatus' });

/**
 * One message to a customer about one event, on one channel: at most one per event and channel
 * (unique), so it is never sent twice. SKIPPED when the channel is not configured.
 */
@ObjectType()
@Entity()
@Unique({ properties: ['event', 'channel'] })
@Index({ properties: ['orderId', 'createdAt'] })
@Index({ name: 'notification_due', expression: `create index "notification_due" on "notification" ("next_attempt_at") where "status" = 'PENDING'` })
export class Notification {
  [OptionalProps]?: 'attempts' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** The event it was sent for; null once old events are pruned (the message log stays). */
  @ManyToOne(() => OutboxEvent, { ref: true, nullable: true, index: false, deleteRule: 'set null' })
  event?: Ref<OutboxEvent>;

  /** The order it is about (no foreign key: the message log outlives nothing it should not). */
  @Property({ type: 'uuid', nullable: true })
  orderId?: string;

  @Property({ type: 'uuid', nullable: true, index: true })
  customerId?: string;

  @Field({ description: 'e.g. ORDER_PLACED, ORDER_READY_FOR_PICKUP, PICKUP_REMINDER, PASSWORD_RESET.' })
  @Property({ length: 40 })
  kind: string;

  @Field(() => NotificationChannel)
  @Enum({ items: () => NotificationChannel, nativeEnumName: 'notification_channel' })
  channel: NotificationChannel;

  @Field()
  @Property({ length: 254 })
  to: string;

  @Property({ length: 5 })
  language: string;

  @Field(() => NotificationStatus)
  @Enum({ items: () => NotificationStatus, nativeEnumName: 'notification_status' })
  status: NotificationStatus;

  @Property()
  attempts: number = 0;

  @Property({ nullable: true })
  lastResponseStatus?: number;

  @Property({ length: 500, nullable: true })
  lastError?: string;

  @Property({ type: 'timestamptz', nullable: true })
  lastAttemptAt?: Date;

  @Property({ type: 'timestamptz', nullable: true })
  nextAttemptAt?: Date;

  @Field({ nullable: true, name: 'sentAt' })
  @Property({ type: 'timestamptz', nullable: true })
  completedAt?: Date;

  @Field()
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
