import { Migration } from '@mikro-orm/migrations';

export class Migration20261201160533 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "failure_count" ("key" varchar(200) not null, "count" int not null, "window_ends_at" timestamptz not null, constraint "failure_count_pkey" primary key ("key"));`,
    );
    this.addSql(`alter table "orders" add column "client_address" varchar(64) null;`);
    this.addSql(`create index "orders_placed_pickup_created_at" on "orders" ("created_at") where "status" = 'PLACED' and "fulfillment_method" = 'PICKUP';`);
    this.addSql(`create index "orders_client_address_status_index" on "orders" ("client_address", "status");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "failure_count" cascade;`);
    this.addSql(`drop index "orders_placed_pickup_created_at";`);
    this.addSql(`drop index "orders_client_address_status_index";`);
    this.addSql(`alter table "orders" drop column "client_address";`);
  }
}
