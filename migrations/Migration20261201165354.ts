import { Migration } from '@mikro-orm/migrations';

/**
 * The outbox: events written with the changes that caused them, webhooks and their deliveries,
 * messages to customers, payment calls made after commit; the
 * pickup reminder's mark; and the trigger that wakes the dispatchers on commit.
 */

export class Migration20261201165354 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "notification_channel" as enum ('EMAIL', 'SMS');`);
    this.addSql(`create type "notification_status" as enum ('PENDING', 'SENT', 'FAILED', 'SKIPPED');`);
    this.addSql(`create type "payment_call_kind" as enum ('CAPTURE', 'REFUND', 'VOID');`);
    this.addSql(
      `create type "webhook_topic" as enum ('ORDER_PLACED', 'ORDER_READY_FOR_PICKUP', 'ORDER_CHECKED_IN', 'ORDER_COMPLETED', 'ORDER_SHIPPED', 'ORDER_CANCELLED', 'ORDER_EXPIRED', 'ORDER_RETURNED', 'INVENTORY_LOW', 'CUSTOMER_CREATED');`,
    );
    this.addSql(`create type "webhook_delivery_status" as enum ('PENDING', 'DELIVERED', 'FAILED');`);
    this.addSql(
      `create table "outbox_event" ("id" uuid not null, "type" varchar(40) not null, "subject_id" uuid null, "data" jsonb not null, "created_at" timestamptz not null, "dispatched_at" timestamptz null, constraint "outbox_event_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "outbox_event_subject_id_index" on "outbox_event" ("subject_id");`);
    this.addSql(`create index "outbox_event_undispatched" on "outbox_event" ("created_at") where "dispatched_at" is null;`);
    this.addSql(
      `create table "notification" ("id" uuid not null, "event_id" uuid null, "order_id" uuid null, "customer_id" uuid null, "kind" varchar(40) not null, "channel" "notification_channel" not null, "to" varchar(254) not null, "language" varchar(5) not null, "status" "notification_status" not null, "attempts" int not null default 0, "last_response_status" int null, "last_error" varchar(500) null, "last_attempt_at" timestamptz null, "next_attempt_at" timestamptz null, "completed_at" timestamptz null, "created_at" timestamptz not null, constraint "notification_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "notification_customer_id_index" on "notification" ("customer_id");`);
    this.addSql(`create index "notification_due" on "notification" ("next_attempt_at") where "status" = 'PENDING';`);
    this.addSql(`create index "notification_order_id_created_at_index" on "notification" ("order_id", "created_at");`);
    this.addSql(`alter table "notification" add constraint "notification_event_id_channel_unique" unique ("event_id", "channel");`);
    this.addSql(
      `create table "payment_call" ("id" uuid not null, "order_id" uuid not null, "payment_id" uuid not null, "kind" "payment_call_kind" not null, "provider_reference" varchar(100) not null, "amount" int not null, "status" varchar(10) not null default 'PENDING', "attempts" int not null default 0, "last_response_status" int null, "last_error" varchar(500) null, "last_attempt_at" timestamptz null, "next_attempt_at" timestamptz null, "completed_at" timestamptz null, "created_at" timestamptz not null, constraint "payment_call_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "payment_call_due" on "payment_call" ("next_attempt_at") where "status" = 'PENDING';`);
    this.addSql(
      `create table "webhook" ("id" uuid not null, "url" varchar(2000) not null, "topics" text[] not null, "secret" varchar(100) not null, "active" boolean not null default true, "created_at" timestamptz not null, "deleted_at" timestamptz null, constraint "webhook_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create table "webhook_delivery" ("id" uuid not null, "event_id" uuid not null, "webhook_id" uuid not null, "topic" "webhook_topic" not null, "status" "webhook_delivery_status" not null default 'PENDING', "attempts" int not null default 0, "last_response_status" int null, "last_error" varchar(500) null, "last_attempt_at" timestamptz null, "next_attempt_at" timestamptz null, "completed_at" timestamptz null, "created_at" timestamptz not null, constraint "webhook_delivery_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "webhook_delivery_due" on "webhook_delivery" ("next_attempt_at") where "status" = 'PENDING';`);
    this.addSql(`create index "webhook_delivery_webhook_id_created_at_id_index" on "webhook_delivery" ("webhook_id", "created_at", "id");`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_event_id_webhook_id_unique" unique ("event_id", "webhook_id");`);
    this.addSql(
      `alter table "notification" add constraint "notification_event_id_foreign" foreign key ("event_id") references "outbox_event" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "payment_call" add constraint "payment_call_order_id_foreign" foreign key ("order_id") references "orders" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "payment_call" add constraint "payment_call_payment_id_foreign" foreign key ("payment_id") references "payment" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "webhook_delivery" add constraint "webhook_delivery_event_id_foreign" foreign key ("event_id") references "outbox_event" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "webhook_delivery" add constraint "webhook_delivery_webhook_id_foreign" foreign key ("webhook_id") references "webhook" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(`alter table "orders" add column "pickup_reminded_at" timestamptz null;`);
    // Wakes the outbox dispatchers when a transaction that wrote an event or a payment call
    // commits (NOTIFY is delivered on commit, once per transaction and payload).
    this.addSql(`create function notify_outbox_wake() returns trigger language plpgsql as $$
begin
  perform pg_notify('outbox_wake', '');
  return null;
end $$;`);
    this.addSql(`create trigger outbox_event_wake after insert on outbox_event for each statement execute function notify_outbox_wake();`);
    this.addSql(`create trigger payment_call_wake after insert on payment_call for each statement execute function notify_outbox_wake();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger payment_call_wake on payment_call;`);
    this.addSql(`drop trigger outbox_event_wake on outbox_event;`);
    this.addSql(`drop function notify_outbox_wake();`);
    this.addSql(`alter table "notification" drop constraint "notification_event_id_foreign";`);
    this.addSql(`alter table "webhook_delivery" drop constraint "webhook_delivery_event_id_foreign";`);
    this.addSql(`alter table "webhook_delivery" drop constraint "webhook_delivery_webhook_id_foreign";`);
    this.addSql(`drop table if exists "outbox_event" cascade;`);
    this.addSql(`drop table if exists "notification" cascade;`);
    this.addSql(`drop table if exists "payment_call" cascade;`);
    this.addSql(`drop table if exists "webhook" cascade;`);
    this.addSql(`drop table if exists "webhook_delivery" cascade;`);
    this.addSql(`alter table "orders" drop column "pickup_reminded_at";`);
    this.addSql(`drop type "notification_channel";`);
    this.addSql(`drop type "notification_status";`);
    this.addSql(`drop type "payment_call_kind";`);
    this.addSql(`drop type "webhook_topic";`);
    this.addSql(`drop type "webhook_delivery_status";`);
  }
}
