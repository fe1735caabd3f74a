import { Migration } from '@mikro-orm/migrations';

export class Migration20261201173000PricesOffersTax extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "product_status" as enum ('ACTIVE', 'ARCHIVED');`);
    this.addSql(`create type "loyalty_tier" as enum ('BRONZE', 'SILVER', 'GOLD');`);
    this.addSql(
      `create table "collection" ("id" uuid not null, "code" varchar(64) not null, "title" varchar(200) not null, "created_at" timestamptz not null, constraint "collection_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "collection" add constraint "collection_code_unique" unique ("code");`);
    this.addSql(
      `create table "collection_product" ("collection_id" uuid not null, "product_id" uuid not null, constraint "collection_product_pkey" primary key ("collection_id", "product_id"));`,
    );
    this.addSql(`create index "collection_product_product_id_index" on "collection_product" ("product_id");`);
    this.addSql(
      `create table "promotion" ("id" uuid not null, "title" varchar(200) not null, "code" varchar(64) null, "percent_off" int null, "amount_off" int null, "min_subtotal" int null, "skus" jsonb not null default '[]', "collection_codes" jsonb not null default '[]', "min_tier" "loyalty_tier" null, "channels" jsonb not null default '[]', "starts_at" timestamptz null, "ends_at" timestamptz null, "usage_limit" int null, "per_customer_limit" int null, "times_used" int not null default 0, "active" boolean not null default true, "version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "promotion_pkey" primary key ("id"), constraint promotion_window check (starts_at is null or ends_at is null or starts_at < ends_at), constraint promotion_usage_within_limit check (times_used >= 0 and (usage_limit is null or times_used <= usage_limit)), constraint promotion_amount_positive check (amount_off is null or amount_off > 0), constraint promotion_percent_range check (percent_off is null or (percent_off >= 1 and percent_off <= 100)), constraint promotion_one_value check ((percent_off is null) <> (amount_off is null)));`,
    );
    this.addSql(`create unique index "promotion_code_unique" on "promotion" ("code") where "code" is not null;`);
    this.addSql(
      `create table "promotion_usage" ("promotion_id" uuid not null, "customer_id" uuid not null, "times_used" int not null default 0, constraint "promotion_usage_pkey" primary key ("promotion_id", "customer_id"), constraint promotion_usage_not_negative check (times_used >= 0));`,
    );
    this.addSql(
      `create table "tax_rate" ("id" uuid not null, "country_code" varchar(2) not null, "region_code" varchar(3) null, "name" varchar(100) not null, "rate_basis_points" int not null, "updated_at" timestamptz not null, constraint "tax_rate_pkey" primary key ("id"), constraint tax_rate_range check (rate_basis_points >= 0 and rate_basis_points <= 10000));`,
    );
    this.addSql(`create unique index "tax_rate_place_unique" on "tax_rate" ("country_code", coalesce("region_code", ''));`);
    this.addSql(
      `alter table "collection_product" add constraint "collection_product_collection_id_foreign" foreign key ("collection_id") references "collection" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "collection_product" add constraint "collection_product_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "promotion_usage" add constraint "promotion_usage_promotion_id_foreign" foreign key ("promotion_id") references "promotion" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "promotion_usage" add constraint "promotion_usage_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade;`,
    );
    this.addSql(`alter table "location" add column "ship_enabled" boolean not null default false, add column "address" jsonb null;`);
    this.addSql(`alter table "cart" add column "discount_codes" jsonb not null default '[]';`);
    this.addSql(`alter table "orders" drop constraint orders_money_consistent;`);
    this.addSql(
      `alter table "orders" add column "discount_total" int not null default 0, add column "tax_total" int not null default 0, add column "taxes_included" boolean not null default false, add column "discounts" jsonb not null default '[]', add column "tax_lines" jsonb not null default '[]';`,
    );
    this.addSql(
      `alter table "orders" add constraint orders_money_consistent check(total = subtotal - discount_total - loyalty_discount + case when taxes_included then 0 else tax_total end and discount_total >= 0 and loyalty_discount >= 0 and tax_total >= 0 and total >= 0);`,
    );
    this.addSql(`alter table "product" add column "description" text null, add column "status" "product_status" not null default 'ACTIVE';`);
    this.addSql(`alter table "product_variant" add column "archived" boolean not null default false;`);
    this.addSql(
      `alter table "order_line" add column "discount_total" int not null default 0, add column "loyalty_discount" int not null default 0, add column "tax_total" int not null default 0, add column "total" int null;`,
    );
    // Lines of orders placed before discounts and tax paid their price times their quantity.
    this.addSql(`update "order_line" set "total" = "unit_price" * "quantity";`);
    this.addSql(`alter table "order_line" alter column "total" set not null;`);
    this.addSql(
      `alter table "order_line" add constraint order_line_money check(discount_total >= 0 and loyalty_discount >= 0 and tax_total >= 0 and total >= 0);`,
    );
    // Instances keep the pricing rules in memory (src/modules/pricing/pricing.cache.ts): the
    // database tells every listening instance, on COMMIT, when promotions, tax rates or
    // collections change, whoever writes. A checkout counting a promotion's use changes only
    // times_used: that matters to the cached rules only when it uses the promotion up (or a
    // cancellation gives the last use back).
    this.addSql(`create function notify_pricing_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and tg_table_name = 'promotion' then
    if (to_jsonb(new) - 'times_used') = (to_jsonb(old) - 'times_used')
       and (new.usage_limit is null or (old.times_used >= old.usage_limit) = (new.times_used >= new.usage_limit)) then
      return null;
    end if;
  end if;
  perform pg_notify('pricing_change', tg_table_name);
  return null;
end $$;`);
    for (const table of ['promotion', 'tax_rate', 'collection', 'collection_product']) {
      this.addSql(
        `create trigger ${table}_pricing_notify after insert or update or delete on "${table}" for each row execute function notify_pricing_change();`,
      );
      this.addSql(`create trigger ${table}_pricing_truncate_notify after truncate on "${table}" for each statement execute function notify_pricing_change();`);
    }
  }

  override async down(): Promise<void> {
    for (const table of ['promotion', 'tax_rate', 'collection', 'collection_product']) {
      this.addSql(`drop trigger ${table}_pricing_truncate_notify on "${table}";`);
      this.addSql(`drop trigger ${table}_pricing_notify on "${table}";`);
    }
    this.addSql(`drop function notify_pricing_change();`);
    this.addSql(`alter table "collection_product" drop constraint "collection_product_collection_id_foreign";`);
    this.addSql(`alter table "promotion_usage" drop constraint "promotion_usage_promotion_id_foreign";`);
    this.addSql(`drop table if exists "collection" cascade;`);
    this.addSql(`drop table if exists "collection_product" cascade;`);
    this.addSql(`drop table if exists "promotion" cascade;`);
    this.addSql(`drop table if exists "promotion_usage" cascade;`);
    this.addSql(`drop table if exists "tax_rate" cascade;`);
    this.addSql(`alter table "cart" drop column "discount_codes";`);
    this.addSql(`alter table "location" drop column "ship_enabled", drop column "address";`);
    this.addSql(`alter table "order_line" drop constraint order_line_money;`);
    this.addSql(`alter table "order_line" drop column "discount_total", drop column "loyalty_discount", drop column "tax_total", drop column "total";`);
    this.addSql(`alter table "orders" drop constraint orders_money_consistent;`);
    this.addSql(
      `alter table "orders" drop column "discount_total", drop column "tax_total", drop column "taxes_included", drop column "discounts", drop column "tax_lines";`,
    );
    this.addSql(
      `alter table "orders" add constraint orders_money_consistent check((total = (subtotal - loyalty_discount)) AND (loyalty_discount >= 0) AND (total >= 0));`,
    );
    this.addSql(`alter table "product" drop column "description", drop column "status";`);
    this.addSql(`alter table "product_variant" drop column "archived";`);
    this.addSql(`drop type "product_status";`);
    this.addSql(`drop type "loyalty_tier";`);
  }
}
