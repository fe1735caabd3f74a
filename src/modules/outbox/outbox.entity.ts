import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { registerEnumType } from 'type-graphql';

/** What an event is about; the topics a webhook subscribes to. */
export enum WebhookTopic {
  ORDER_PLACED = 'ORDER_PLACED',
  ORDER_READY_FOR_PICKUP = 'ORDER_READY_FOR_PICKUP',
  ORDER_CHECKED_IN = 'ORDER_CHECKED_IN',
  ORDER_COMPLETED = 'ORDER_COMPLETED',
  ORDER_SHIPPED = 'ORDER_SHIPPED',
  ORDER_CANCELLED = 'ORDER_CANCELLED',
  ORDER_EXPIRED = 'ORDER_EXPIRED',
  ORDER_RETURNED = 'ORDER_RETURNED',
  INVENTORY_LOW = 'INVENTORY_LOW',
  CUSTOMER_CREATED = 'CUSTOMER_CREATED',
}
registerEnumType(WebhookTopic, { name: 'WebhookTopic' });

/** Events no webhook hears: they exist only to send the customer a message. */
export enum InternalEventType {
  PICKUP_REMINDER = 'PICKUP_REMINDER',
  /** A password reset link; the token travels in `private` and reaches only the customer's e-mail. */
  PASSWORD_RESET = 'PASSWORD_RESET',
}

export type EventType = WebhookTopic | InternalEventType;

/**
 * What the event says, as it was when it happened. `private` holds what only the customer may
 * read (the pickup code): it feeds their messages and never leaves in a webhook.
 */
export interface EventData {
  order?: Record<string, unknown> & { id: string; number: string; status: string };
  customer?: Record<string, unknown> & { id: string };
  private?: Record<string, unknown>;
  [key: string]: unknown;
}

/** An event to record: its type, what it is about, and its snapshot. */
export interface NewEvent {
  type: EventType;
  subjectId?: string;
  data: EventData;
}

/**
 * One business event, written in the transaction of the change that caused it: it exists if and
 * only if the change was committed. The dispatcher fans it out once (dispatchedAt) into one
 * delivery per destination.
 */
@Entity({ tableName: 'outbox_event' })
@Index({
  name: 'outbox_event_undispatched',
  expression: 'create index "outbox_event_undispatched" on "outbox_event" ("created_at") where "dispatched_at" is null',
})
export class OutboxEvent {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ length: 40 })
  type: string;

  /** The order, customer or stock level the event is about. */
  @Property({ type: 'uuid', nullable: true, index: true })
  subjectId?: string;

  @Property({ type: 'jsonb' })
  data: EventData;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  dispatchedAt?: Date;
}
