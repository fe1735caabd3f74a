import { Migration } from '@mikro-orm/migrations';

export class Migration20261123164533 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "payment" add column "provider_captured_amount" int not null default 0, add column "provider_refunded_amount" int not null default 0;`,
    );
    this.addSql(
      `alter table "payment" add constraint payment_provider_amounts check(provider_refunded_amount >= 0 and provider_refunded_amount <= provider_captured_amount);`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "payment" drop constraint payment_provider_amounts;`);
    this.addSql(`alter table "payment" drop column "provider_captured_amount", drop column "provider_refunded_amount";`);
  }
}
