import { Migration } from '@mikro-orm/migrations';

export class Migration20261123163141 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "order_status" as enum ('PLACED', 'READY_FOR_PICKUP', 'SHIPPED', 'COMPLETED', 'CANCELLED', 'EXPIRED');`);
    this.addSql(`create type "payment_method" as enum ('CARD', 'PAY_IN_STORE');`);
    this.addSql(`create type "payment_status" as enum ('PENDING', 'AUTHORIZED', 'CAPTURED', 'VOIDED', 'REFUNDED', 'PARTIALLY_REFUNDED');`);
    this.addSql(
      `create table "idempotency_record" ("id" uuid not null, "key" varchar(200) not null, "fingerprint" varchar(64) not null, "order_id" uuid not null, "created_at" timestamptz not null, constraint "idempotency_record_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "idempotency_record" add constraint "idempotency_record_key_unique" unique ("key");`);
    this.addSql(
      `create table "orders" ("id" uuid not null, "number" varchar(20) not null, "cart_id" uuid not null, "customer_id" uuid null, "channel" "channel" not null, "status" "order_status" not null, "fulfillment_method" "fulfillment_method" not null, "location_id" uuid not null, "shipping_address" jsonb null, "pickup_code" varchar(12) null, "ready_at" timestamptz null, "expires_at" timestamptz null, "completed_at" timestamptz null, "subtotal" int not null, "loyalty_discount" int not null, "total" int not null, "loyalty_points_redeemed" int not null default 0, "loyalty_points_earned" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "orders_pkey" primary key ("id"), constraint orders_money_consistent check (total = subtotal - loyalty_discount and loyalty_discount >= 0 and total >= 0));`,
    );
    this.addSql(`alter table "orders" add constraint "orders_number_unique" unique ("number");`);
    this.addSql(`alter table "orders" add constraint "orders_cart_id_unique" unique ("cart_id");`);
    this.addSql(`create index "orders_status_expires_at_index" on "orders" ("status", "expires_at");`);
    this.addSql(`create index "orders_location_id_status_created_at_index" on "orders" ("location_id", "status", "created_at");`);
    this.addSql(`create index "orders_customer_id_created_at_id_index" on "orders" ("customer_id", "created_at", "id");`);
    this.addSql(
      `create table "order_event" ("id" uuid not null, "order_id" uuid not null, "kind" varchar(40) not null, "channel" "channel" not null, "location_id" uuid null, "at" timestamptz not null, "message" text null, constraint "order_event_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "order_event_order_id_at_index" on "order_event" ("order_id", "at");`);
    this.addSql(
      `create table "payment" ("id" uuid not null, "order_id" uuid not null, "method" "payment_method" not null, "status" "payment_status" not null, "amount" int not null, "captured_amount" int not null default 0, "refunded_amount" int not null default 0, "provider_reference" varchar(100) null, "created_at" timestamptz not null, constraint "payment_pkey" primary key ("id"), constraint payment_amounts check (amount >= 0 and captured_amount >= 0 and refunded_amount >= 0 and refunded_amount <= captured_amount));`,
    );
    this.addSql(`alter table "payment" add constraint "payment_order_id_unique" unique ("order_id");`);
    this.addSql(
      `create table "order_line" ("id" uuid not null, "order_id" uuid not null, "customer_id" uuid null, "variant_id" uuid not null, "sku" varchar(64) not null, "title" varchar(300) not null, "quantity" int not null, "returned_quantity" int not null default 0, "unit_price" int not null, "channel" "channel" not null, "created_at" timestamptz not null, constraint "order_line_pkey" primary key ("id"), constraint order_line_quantities check (quantity > 0 and returned_quantity >= 0 and returned_quantity <= quantity));`,
    );
    this.addSql(`alter table "orders" add constraint "orders_cart_id_foreign" foreign key ("cart_id") references "cart" ("id") on update cascade;`);
    this.addSql(
      `alter table "orders" add constraint "orders_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete set null;`,
    );
    this.addSql(`alter table "orders" add constraint "orders_location_id_foreign" foreign key ("location_id") references "location" ("id") on update cascade;`);
    this.addSql(
      `alter table "order_event" add constraint "order_event_order_id_foreign" foreign key ("order_id") references "orders" ("id") on update cascade;`,
    );
    this.addSql(`alter table "payment" add constraint "payment_order_id_foreign" foreign key ("order_id") references "orders" ("id") on update cascade;`);
    this.addSql(`alter table "order_line" add constraint "order_line_order_id_foreign" foreign key ("order_id") references "orders" ("id") on update cascade;`);
    this.addSql(
      `alter table "order_line" add constraint "order_line_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "order_line" add constraint "order_line_variant_id_foreign" foreign key ("variant_id") references "product_variant" ("id") on update cascade;`,
    );
    this.addSql(`create unique index "loyalty_transaction_one_earn_per_order" on "loyalty_transaction" ("order_id") where "kind" = 'EARN';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "order_event" drop constraint "order_event_order_id_foreign";`);
    this.addSql(`alter table "payment" drop constraint "payment_order_id_foreign";`);
    this.addSql(`alter table "order_line" drop constraint "order_line_order_id_foreign";`);
    this.addSql(`drop table if exists "idempotency_record" cascade;`);
    this.addSql(`drop table if exists "orders" cascade;`);
    this.addSql(`drop table if exists "order_event" cascade;`);
    this.addSql(`drop table if exists "payment" cascade;`);
    this.addSql(`drop table if exists "order_line" cascade;`);
    this.addSql(`drop index "loyalty_transaction_one_earn_per_order";`);
    this.addSql(`drop type "order_status";`);
    this.addSql(`drop type "payment_method";`);
    this.addSql(`drop type "payment_status";`);
  }
}
