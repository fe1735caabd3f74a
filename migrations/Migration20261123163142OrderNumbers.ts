import { Migration } from '@mikro-orm/migrations';

/** Human-readable order numbers (W-100001, A-100002, P-100003) from one sequence: unique, no gaps to guess from. */
export class Migration20261123163142OrderNumbers extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create sequence order_number_seq start with 100001;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop sequence order_number_seq;`);
  }
}
