import { Migration } from '@mikro-orm/migrations';

/**
 * Idempotency keys are scoped by caller (customer, staff member or guest cart). Keys written
 * before were global: they keep a scope of their own, so a retry of an old request can no longer
 * replay it, but each of those requests already left its cart completed or its order changed.
 */
export class Migration20261201154522IdempotencyKeyScope extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "idempotency_record" drop constraint "idempotency_record_key_unique";`);
    this.addSql(`alter table "idempotency_record" add column "scope" varchar(100) null;`);
    this.addSql(`update "idempotency_record" set "scope" = 'before-scopes';`);
    this.addSql(`alter table "idempotency_record" alter column "scope" set not null;`);
    this.addSql(`alter table "idempotency_record" add constraint "idempotency_record_scope_key_unique" unique ("scope", "key");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "idempotency_record" drop constraint "idempotency_record_scope_key_unique";`);
    this.addSql(`alter table "idempotency_record" drop column "scope";`);
    this.addSql(`alter table "idempotency_record" add constraint "idempotency_record_key_unique" unique ("key");`);
  }
}
