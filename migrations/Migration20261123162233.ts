import { Migration } from '@mikro-orm/migrations';

export class Migration20261123162233 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "cart_status" as enum ('ACTIVE', 'MERGED', 'COMPLETED', 'ABANDONED');`);
    this.addSql(`create type "fulfillment_method" as enum ('SHIP', 'PICKUP', 'IN_STORE');`);
    this.addSql(`create type "loyalty_transaction_kind" as enum ('EARN', 'REDEEM', 'REVERSAL', 'ADJUSTMENT');`);
    this.addSql(
      `create table "cart" ("id" uuid not null, "customer_id" uuid null, "status" "cart_status" not null default 'ACTIVE', "channel" "channel" not null, "version" int not null default 1, "loyalty_points_applied" int not null default 0, "fulfillment_method" "fulfillment_method" null, "fulfillment_location_id" uuid null, "shipping_address" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "cart_pkey" primary key ("id"), constraint cart_version_positive check (version >= 1), constraint cart_loyalty_points_not_negative check (loyalty_points_applied >= 0));`,
    );
    this.addSql(`create index "cart_status_updated_at_index" on "cart" ("status", "updated_at");`);
    this.addSql(`create unique index "cart_one_active_per_customer" on "cart" ("customer_id") where "status" = 'ACTIVE';`);
    this.addSql(
      `create table "loyalty_account" ("id" uuid not null, "customer_id" uuid not null, "balance" int not null default 0, "lifetime_points" int not null default 0, "updated_at" timestamptz not null, constraint "loyalty_account_pkey" primary key ("id"), constraint loyalty_account_lifetime_not_negative check (lifetime_points >= 0), constraint loyalty_account_balance_not_negative check (balance >= 0));`,
    );
    this.addSql(`alter table "loyalty_account" add constraint "loyalty_account_customer_id_unique" unique ("customer_id");`);
    this.addSql(
      `create table "loyalty_transaction" ("id" uuid not null, "customer_id" uuid not null, "kind" "loyalty_transaction_kind" not null, "points" int not null, "balance_after" int not null, "channel" "channel" not null, "order_id" uuid null, "created_at" timestamptz not null, constraint "loyalty_transaction_pkey" primary key ("id"), constraint loyalty_transaction_balance_after_not_negative check (balance_after >= 0));`,
    );
    this.addSql(`create index "loyalty_transaction_order_id_index" on "loyalty_transaction" ("order_id");`);
    this.addSql(`create index "loyalty_transaction_customer_id_created_at_id_index" on "loyalty_transaction" ("customer_id", "created_at", "id");`);
    this.addSql(
      `create table "cart_line" ("id" uuid not null, "cart_id" uuid not null, "customer_id" uuid null, "variant_id" uuid not null, "quantity" int not null, "channel" "channel" not null, "created_at" timestamptz not null, constraint "cart_line_pkey" primary key ("id"), constraint cart_line_quantity_positive check (quantity > 0));`,
    );
    this.addSql(`alter table "cart_line" add constraint "cart_line_cart_id_variant_id_unique" unique ("cart_id", "variant_id");`);
    this.addSql(
      `alter table "cart" add constraint "cart_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "cart" add constraint "cart_fulfillment_location_id_foreign" foreign key ("fulfillment_location_id") references "location" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "loyalty_account" add constraint "loyalty_account_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "loyalty_transaction" add constraint "loyalty_transaction_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "cart_line" add constraint "cart_line_cart_id_foreign" foreign key ("cart_id") references "cart" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "cart_line" add constraint "cart_line_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "cart_line" add constraint "cart_line_variant_id_foreign" foreign key ("variant_id") references "product_variant" ("id") on update cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "cart_line" drop constraint "cart_line_cart_id_foreign";`);
    this.addSql(`drop table if exists "cart" cascade;`);
    this.addSql(`drop table if exists "loyalty_account" cascade;`);
    this.addSql(`drop table if exists "loyalty_transaction" cascade;`);
    this.addSql(`drop table if exists "cart_line" cascade;`);
    this.addSql(`drop type "cart_status";`);
    this.addSql(`drop type "fulfillment_method";`);
    this.addSql(`drop type "loyalty_transaction_kind";`);
  }
}
