import { Migration } from '@mikro-orm/migrations';

export class Migration20261125213647OrderLinesByOrder extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "order_line_order_id_created_at_index" on "order_line" ("order_id", "created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "order_line_order_id_created_at_index";`);
  }
}
