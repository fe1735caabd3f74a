import { Migration } from '@mikro-orm/migrations';

export class Migration20261201163524 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "consent_purpose" as enum ('EMAIL_MARKETING', 'SMS_MARKETING', 'PERSONALIZATION');`);
    this.addSql(
      `create table "co_purchase" ("variant_id" uuid not null, "other_variant_id" uuid not null, "orders" int not null, constraint "co_purchase_pkey" primary key ("variant_id", "other_variant_id"));`,
    );
    this.addSql(
      `create table "customer_preference" ("id" uuid not null, "customer_id" uuid not null, "key" varchar(64) not null, "value" varchar(500) not null, "updated_at" timestamptz not null, constraint "customer_preference_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "customer_preference" add constraint "customer_preference_customer_id_key_unique" unique ("customer_id", "key");`);
    this.addSql(
      `create table "customer_access" ("id" uuid not null, "customer_id" uuid not null, "staff_id" uuid not null, "via" varchar(40) not null, "at" timestamptz not null, constraint "customer_access_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "customer_access_staff_id_at_index" on "customer_access" ("staff_id", "at");`);
    this.addSql(`create index "customer_access_customer_id_at_index" on "customer_access" ("customer_id", "at");`);
    this.addSql(
      `create table "consent_record" ("id" uuid not null, "customer_id" uuid not null, "purpose" "consent_purpose" not null, "granted" boolean not null, "channel" "channel" not null, "created_at" timestamptz not null, constraint "consent_record_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "consent_record_customer_id_purpose_created_at_index" on "consent_record" ("customer_id", "purpose", "created_at");`);
    this.addSql(
      `create table "password_reset_token" ("id" uuid not null, "customer_id" uuid not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, constraint "password_reset_token_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "password_reset_token" add constraint "password_reset_token_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "password_reset_token_customer_id_index" on "password_reset_token" ("customer_id");`);
    this.addSql(
      `create table "purchase_to_learn" ("order_id" uuid not null, "created_at" timestamptz not null, constraint "purchase_to_learn_pkey" primary key ("order_id"));`,
    );
    this.addSql(
      `create table "saved_address" ("id" uuid not null, "customer_id" uuid not null, "address" jsonb not null, "is_default" boolean not null default false, "created_at" timestamptz not null, constraint "saved_address_pkey" primary key ("id"));`,
    );
    this.addSql(`create unique index "saved_address_one_default" on "saved_address" ("customer_id") where "is_default";`);
    this.addSql(`create index "saved_address_customer_id_created_at_index" on "saved_address" ("customer_id", "created_at");`);
    this.addSql(`create table "variant_sales" ("variant_id" uuid not null, "units" int not null, constraint "variant_sales_pkey" primary key ("variant_id"));`);
    this.addSql(`create index "variant_sales_units_index" on "variant_sales" ("units");`);
    this.addSql(
      `alter table "customer_preference" add constraint "customer_preference_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "customer_access" add constraint "customer_access_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "consent_record" add constraint "consent_record_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "password_reset_token" add constraint "password_reset_token_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "saved_address" add constraint "saved_address_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "customer" add column "language" varchar(5) not null default 'en', add column "phone" varchar(16) null, add column "loyalty_number" varchar(20) null, add column "preferred_location_id" uuid null, add column "erased_at" timestamptz null;`,
    );
    // Loyalty numbers: a sequence (unique and short: 8 digits) with a Luhn check digit, so a
    // mistyped number is caught instead of naming another customer. Existing customers get theirs here.
    this.addSql(`create sequence loyalty_number_seq start with 10000000;`);
    this.addSql(`create function loyalty_number(n bigint) returns text language sql immutable as $$
  select n::text || ((10 - sum(case when i % 2 = 1 then (case when d * 2 > 9 then d * 2 - 9 else d * 2 end) else d end) % 10) % 10)::text
    from (select i, substr(reverse(n::text), i, 1)::int as d from generate_series(1, length(n::text)) as i) digits
$$;`);
    this.addSql(`update "customer" set "loyalty_number" = loyalty_number(nextval('loyalty_number_seq')) where "loyalty_number" is null;`);
    this.addSql(`alter table "customer" alter column "loyalty_number" set not null;`);
    this.addSql(
      `alter table "customer" add constraint "customer_preferred_location_id_foreign" foreign key ("preferred_location_id") references "location" ("id") on update cascade on delete set null;`,
    );
    this.addSql(`create index "customer_phone_index" on "customer" ("phone");`);
    this.addSql(`alter table "customer" add constraint "customer_loyalty_number_unique" unique ("loyalty_number");`);
    this.addSql(`alter table "cart" add column "contact_email" varchar(254) null, add column "contact_phone" varchar(16) null;`);
    this.addSql(`alter table "orders" add column "contact_email" varchar(254) null;`);
    this.addSql(`create index "order_line_customer_id_variant_id_index" on "order_line" ("customer_id", "variant_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "co_purchase" cascade;`);
    this.addSql(`drop table if exists "customer_preference" cascade;`);
    this.addSql(`drop table if exists "customer_access" cascade;`);
    this.addSql(`drop table if exists "consent_record" cascade;`);
    this.addSql(`drop table if exists "password_reset_token" cascade;`);
    this.addSql(`drop table if exists "purchase_to_learn" cascade;`);
    this.addSql(`drop table if exists "saved_address" cascade;`);
    this.addSql(`drop table if exists "variant_sales" cascade;`);
    this.addSql(`alter table "customer" drop constraint "customer_preferred_location_id_foreign";`);
    this.addSql(`alter table "cart" drop column "contact_email", drop column "contact_phone";`);
    this.addSql(`drop index "customer_phone_index";`);
    this.addSql(`alter table "customer" drop constraint "customer_loyalty_number_unique";`);
    this.addSql(
      `alter table "customer" drop column "language", drop column "phone", drop column "loyalty_number", drop column "preferred_location_id", drop column "erased_at";`,
    );
    this.addSql(`drop index "order_line_customer_id_variant_id_index";`);
    this.addSql(`alter table "orders" drop column "contact_email";`);
    this.addSql(`drop function loyalty_number(bigint);`);
    this.addSql(`drop sequence loyalty_number_seq;`);
    this.addSql(`drop type "consent_purpose";`);
  }
}
