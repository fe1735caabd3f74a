import { Migration } from '@mikro-orm/migrations';

/** The points ledger is append-only, like the stock ledger (same trigger function). */
export class Migration20261123162234LoyaltyLedgerAppendOnly extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create trigger loyalty_transaction_append_only before update or delete on loyalty_transaction
  for each row execute function refuse_ledger_change();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger loyalty_transaction_append_only on loyalty_transaction;`);
  }
}
