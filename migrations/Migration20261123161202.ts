import { Migration } from '@mikro-orm/migrations';

export class Migration20261123161202 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "location_kind" as enum ('STORE', 'WAREHOUSE');`);
    this.addSql(`create type "movement_kind" as enum ('ADJUSTMENT', 'RESERVE', 'RELEASE', 'FULFILL', 'SALE', 'RETURN');`);
    this.addSql(`create type "channel" as enum ('WEB', 'APP', 'POS');`);
    this.addSql(`create type "session_subject" as enum ('CUSTOMER', 'STAFF');`);
    this.addSql(`create type "staff_role" as enum ('ASSOCIATE', 'MANAGER', 'ADMIN');`);
    this.addSql(
      `create table "customer" ("id" uuid not null, "email" varchar(254) not null, "password_hash" varchar(200) not null, "name" varchar(200) null, "created_at" timestamptz not null, constraint "customer_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "customer" add constraint "customer_email_unique" unique ("email");`);
    this.addSql(
      `create table "location" ("id" uuid not null, "code" varchar(32) not null, "name" varchar(200) not null, "kind" "location_kind" not null, "pickup_enabled" boolean not null, "created_at" timestamptz not null, constraint "location_pkey" primary key ("id"), constraint location_pickup_only_in_stores check (kind = 'STORE' or not pickup_enabled));`,
    );
    this.addSql(`alter table "location" add constraint "location_code_unique" unique ("code");`);
    this.addSql(
      `create table "product" ("id" uuid not null, "title" varchar(300) not null, "created_at" timestamptz not null, constraint "product_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "product_created_at_id_index" on "product" ("created_at", "id");`);
    this.addSql(
      `create table "product_variant" ("id" uuid not null, "product_id" uuid not null, "sku" varchar(64) not null, "title" varchar(300) not null, "price_amount" int not null, "created_at" timestamptz not null, constraint "product_variant_pkey" primary key ("id"), constraint product_variant_price_not_negative check (price_amount >= 0));`,
    );
    this.addSql(`create index "product_variant_product_id_index" on "product_variant" ("product_id");`);
    this.addSql(`alter table "product_variant" add constraint "product_variant_sku_unique" unique ("sku");`);
    this.addSql(
      `create table "inventory_movement" ("id" uuid not null, "location_id" uuid not null, "variant_id" uuid not null, "kind" "movement_kind" not null, "on_hand_delta" int not null, "reserved_delta" int not null, "order_id" uuid null, "staff_id" uuid null, "channel" "channel" null, "created_at" timestamptz not null, constraint "inventory_movement_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "inventory_movement_order_id_index" on "inventory_movement" ("order_id");`);
    this.addSql(
      `create index "inventory_movement_location_id_variant_id_created_at_index" on "inventory_movement" ("location_id", "variant_id", "created_at");`,
    );
    this.addSql(
      `create table "session" ("id" uuid not null, "token_hash" varchar(64) not null, "subject_kind" "session_subject" not null, "subject_id" uuid not null, "channel" "channel" not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, constraint "session_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "session" add constraint "session_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "session_subject_kind_subject_id_index" on "session" ("subject_kind", "subject_id");`);
    this.addSql(
      `create table "staff" ("id" uuid not null, "email" varchar(254) not null, "password_hash" varchar(200) not null, "role" "staff_role" not null, "location_id" uuid null, "created_at" timestamptz not null, constraint "staff_pkey" primary key ("id"), constraint staff_store_scope check ((role = 'ADMIN') = (location_id is null)));`,
    );
    this.addSql(`alter table "staff" add constraint "staff_email_unique" unique ("email");`);
    this.addSql(`create index "staff_location_id_index" on "staff" ("location_id");`);
    this.addSql(
      `create table "stock_level" ("id" uuid not null, "location_id" uuid not null, "variant_id" uuid not null, "on_hand" int not null default 0, "reserved" int not null default 0, constraint "stock_level_pkey" primary key ("id"), constraint stock_level_reserved_within_on_hand check (reserved <= on_hand), constraint stock_level_reserved_not_negative check (reserved >= 0), constraint stock_level_on_hand_not_negative check (on_hand >= 0));`,
    );
    this.addSql(`create index "stock_level_variant_id_index" on "stock_level" ("variant_id");`);
    this.addSql(`alter table "stock_level" add constraint "stock_level_location_id_variant_id_unique" unique ("location_id", "variant_id");`);
    this.addSql(
      `alter table "product_variant" add constraint "product_variant_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "inventory_movement" add constraint "inventory_movement_location_id_foreign" foreign key ("location_id") references "location" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "inventory_movement" add constraint "inventory_movement_variant_id_foreign" foreign key ("variant_id") references "product_variant" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "staff" add constraint "staff_location_id_foreign" foreign key ("location_id") references "location" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "stock_level" add constraint "stock_level_location_id_foreign" foreign key ("location_id") references "location" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "stock_level" add constraint "stock_level_variant_id_foreign" foreign key ("variant_id") references "product_variant" ("id") on update cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "inventory_movement" drop constraint "inventory_movement_location_id_foreign";`);
    this.addSql(`alter table "staff" drop constraint "staff_location_id_foreign";`);
    this.addSql(`alter table "stock_level" drop constraint "stock_level_location_id_foreign";`);
    this.addSql(`alter table "product_variant" drop constraint "product_variant_product_id_foreign";`);
    this.addSql(`alter table "inventory_movement" drop constraint "inventory_movement_variant_id_foreign";`);
    this.addSql(`alter table "stock_level" drop constraint "stock_level_variant_id_foreign";`);
    this.addSql(`drop table if exists "customer" cascade;`);
    this.addSql(`drop table if exists "location" cascade;`);
    this.addSql(`drop table if exists "product" cascade;`);
    this.addSql(`drop table if exists "product_variant" cascade;`);
    this.addSql(`drop table if exists "inventory_movement" cascade;`);
    this.addSql(`drop table if exists "session" cascade;`);
    this.addSql(`drop table if exists "staff" cascade;`);
    this.addSql(`drop table if exists "stock_level" cascade;`);
    this.addSql(`drop type "location_kind";`);
    this.addSql(`drop type "movement_kind";`);
    this.addSql(`drop type "channel";`);
    this.addSql(`drop type "session_subject";`);
    this.addSql(`drop type "staff_role";`);
  }
}
