import { Migration } from '@mikro-orm/migrations';

/**
 * Instances keep the actor of a token in memory for a few seconds (SESSION_CACHE_SECONDS). The
 * database tells every listening instance when a session or a staff member changes — by any
 * writer, a hand-typed query included — so a revocation takes effect at once everywhere. The
 * notification is sent on COMMIT only: a rolled-back change evicts nothing it need not.
 */
export class Migration20261125221000SessionChangeNotify extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function notify_session_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'TRUNCATE' then
    perform pg_notify('session_change', '*');
  elsif tg_table_name = 'session' then
    perform pg_notify('session_change', 'token:' || old.token_hash || ':' || old.id);
  else
    perform pg_notify('session_change', 'subject:' || old.id);
  end if;
  return null;
end $$;`);
    this.addSql(`create trigger session_change_notify after update or delete on session
  for each row execute function notify_session_change();`);
    this.addSql(`create trigger session_truncate_notify after truncate on session
  for each statement execute function notify_session_change();`);
    this.addSql(`create trigger staff_change_notify after update of role, location_id or delete on staff
  for each row execute function notify_session_change();`);
    this.addSql(`create trigger staff_truncate_notify after truncate on staff
  for each statement execute function notify_session_change();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger staff_truncate_notify on staff;`);
    this.addSql(`drop trigger staff_change_notify on staff;`);
    this.addSql(`drop trigger session_truncate_notify on session;`);
    this.addSql(`drop trigger session_change_notify on session;`);
    this.addSql(`drop function notify_session_change();`);
  }
}
