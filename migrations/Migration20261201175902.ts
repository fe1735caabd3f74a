import { Migration } from '@mikro-orm/migrations';

export class Migration20261201175902 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "stock_transfer_status" as enum ('DRAFT', 'IN_TRANSIT', 'RECEIVED', 'CANCELLED');`);
    this.addSql(
      `create table "stock_transfer" ("id" uuid not null, "from_location_id" uuid not null, "to_location_id" uuid not null, "status" "stock_transfer_status" not null default 'DRAFT', "created_by" uuid null, "created_at" timestamptz not null, "shipped_at" timestamptz null, "received_at" timestamptz null, constraint "stock_transfer_pkey" primary key ("id"), constraint stock_transfer_two_locations check (from_location_id <> to_location_id));`,
    );
    this.addSql(`create index "stock_transfer_to_location_id_created_at_index" on "stock_transfer" ("to_location_id", "created_at");`);
    this.addSql(`create index "stock_transfer_from_location_id_created_at_index" on "stock_transfer" ("from_location_id", "created_at");`);
    this.addSql(
      `create table "stock_transfer_line" ("id" uuid not null, "transfer_id" uuid not null, "variant_id" uuid not null, "position" int not null, "quantity" int not null, "received_quantity" int not null default 0, constraint "stock_transfer_line_pkey" primary key ("id"), constraint stock_transfer_line_quantities check (quantity > 0 and received_quantity >= 0 and received_quantity <= quantity));`,
    );
    this.addSql(`alter table "stock_transfer_line" add constraint "stock_transfer_line_transfer_id_variant_id_unique" unique ("transfer_id", "variant_id");`);
    this.addSql(
      `alter table "stock_transfer" add constraint "stock_transfer_from_location_id_foreign" foreign key ("from_location_id") references "location" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "stock_transfer" add constraint "stock_transfer_to_location_id_foreign" foreign key ("to_location_id") references "location" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "stock_transfer_line" add constraint "stock_transfer_line_transfer_id_foreign" foreign key ("transfer_id") references "stock_transfer" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "stock_transfer_line" add constraint "stock_transfer_line_variant_id_foreign" foreign key ("variant_id") references "product_variant" ("id") on update cascade;`,
    );
    this.addSql(`alter table "location" add column "low_stock_threshold" int null;`);
    this.addSql(`alter table "orders" add column "checked_in_at" timestamptz null, add column "check_in_note" varchar(200) null;`);
    this.addSql(`alter type "movement_kind" add value if not exists 'TRANSFER_OUT' after 'RETURN';`);
    this.addSql(`alter type "movement_kind" add value if not exists 'TRANSFER_IN' after 'TRANSFER_OUT';`);
    this.addSql(`alter type "movement_kind" add value if not exists 'TRANSFER_LOSS' after 'TRANSFER_IN';`);
    this.addSql(`alter table "inventory_movement" add column "transfer_id" uuid null;`);
    this.addSql(`create index "inventory_movement_transfer_id_index" on "inventory_movement" ("transfer_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "stock_transfer_line" drop constraint "stock_transfer_line_transfer_id_foreign";`);
    this.addSql(`drop table if exists "stock_transfer" cascade;`);
    this.addSql(`drop table if exists "stock_transfer_line" cascade;`);
    this.addSql(`drop index "inventory_movement_transfer_id_index";`);
    this.addSql(`alter table "inventory_movement" drop column "transfer_id";`);
    this.addSql(`alter table "location" drop column "low_stock_threshold";`);
    this.addSql(`alter table "orders" drop column "checked_in_at", drop column "check_in_note";`);
    this.addSql(`drop type "stock_transfer_status";`);
  }
}
