import { Migration } from '@mikro-orm/migrations';

/**
 * Ledgers are append-only: the database itself refuses UPDATE and DELETE on them, so no code
 * path (nor a hand-typed query) can rewrite stock or points history.
 */
export class Migration20261123161203AppendOnlyLedgers extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function refuse_ledger_change() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only', tg_table_name using errcode = 'restrict_violation';
end $$;`);
    this.addSql(`create trigger inventory_movement_append_only before update or delete on inventory_movement
  for each row execute function refuse_ledger_change();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger inventory_movement_append_only on inventory_movement;`);
    this.addSql(`drop function refuse_ledger_change();`);
  }
}
