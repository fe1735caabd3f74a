import { Migration } from '@mikro-orm/migrations';

export class Migration20261125210742 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "orders" add column "pickup_code_failures" int not null default 0, add column "pickup_code_locked_until" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "orders" drop column "pickup_code_failures", drop column "pickup_code_locked_until";`);
  }
}
