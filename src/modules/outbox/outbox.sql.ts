import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '../../core/db/sql';
import type { EventRow, QueueRow, WorkQueue } from './outbox.queue';
import type { NewEvent } from './outbox.entity';

/** A list passed as one JSON parameter: the driver would otherwise spread an array over several placeholders. */
export const jsonList = (values: string[]) => JSON.stringify(values);

/** Whether any event waits to be fanned out: one cheap statement instead of a transaction, most cycles. */
export const anyUndispatched = async (em: EntityManager): Promise<boolean> =>
  (await query<{ found: boolean }>(em, `select exists (select 1 from outbox_event where dispatched_at is null) as found`))[0].found;

/** Events not yet fanned out, locked for this transaction; other instances skip them. */
export const claimEvents = (em: EntityManager, batch: number) =>
  query<EventRow>(
    em,
    `select id, type, subject_id, data, created_at from outbox_event
      where dispatched_at is null order by created_at limit ? for update skip locked`,
    [batch],
  );

export const markDispatched = (em: EntityManager, ids: string[]) =>
  query(em, `update outbox_event set dispatched_at = now() where id in (select jsonb_array_elements_text(?::jsonb)::uuid)`, [jsonList(ids)]);

/** Due rows looked at per claim when a queue caps its receivers: bounds the claim's cost under a large backlog. */
const CANDIDATES = 1000;

/**
 * Claims due rows in one statement: counts the attempt and holds the row for the lease, so an
 * instance that dies mid-call leaves the row to be retried when the lease ends, and no other
 * instance calls while it is held. A queue with receivers (`groupColumn`) gets at most
 * `perGroup` rows of one receiver per claim, none of those `busy` here already: a dead
 * receiver's backlog cannot take every slot.
 */
export function claimDue(em: EntityManager, queue: WorkQueue, limit: number, busy: string[], perGroup: number): Promise<QueueRow[]> {
  const group = queue.groupColumn;
  const skipBusy = group && busy.length ? `and ${group} not in (select jsonb_array_elements_text(?::jsonb)::uuid)` : '';
  const candidates = group
    ? `select id from (
         select id, next_attempt_at, row_number() over (partition by ${group} order by next_attempt_at) as nth
           from (select id, ${group}, next_attempt_at from ${queue.table}
                  where status = 'PENDING' and next_attempt_at <= now() ${skipBusy}
                  order by next_attempt_at limit ${CANDIDATES}) first_due) ranked
        where nth <= ?`
    : `select id from ${queue.table} where status = 'PENDING' and next_attempt_at <= now()`;
  return query<QueueRow>(
    em,
    `with due as (
       select t.id from ${queue.table} t
        where t.id in (${candidates}) and t.status = 'PENDING' and t.next_attempt_at <= now()
        order by t.next_attempt_at limit ? for update of t skip locked)
     update ${queue.table} t
        set attempts = t.attempts + 1, last_attempt_at = now(), next_attempt_at = now() + ? * interval '1 millisecond'
       from due where t.id = due.id
     returning t.*`,
    [...(skipBusy ? [jsonList(busy)] : []), ...(group ? [perGroup] : []), limit, queue.leaseMs],
  );
}

/** Stores an attempt's outcome, unless the lease ran out and a later attempt took the row over. */
export async function settle(
  em: EntityManager,
  queue: WorkQueue,
  row: QueueRow,
  outcome: { status: string; responseStatus?: number; error?: string; retryInMs?: number },
): Promise<boolean> {
  const done = outcome.status === queue.doneStatus;
  const result = await query<{ id: string }>(
    em,
    `update ${queue.table}
        set status = ?, last_response_status = ?, last_error = ?,
            next_attempt_at = case when ?::int is null then null else now() + ?::int * interval '1 millisecond' end,
            completed_at = case when ? then now() else completed_at end
      where id = ? and attempts = ? and status = 'PENDING'
     returning id`,
    [
      outcome.status,
      outcome.responseStatus ?? null,
      outcome.error?.slice(0, 500) ?? null,
      outcome.retryInMs ?? null,
      outcome.retryInMs ?? null,
      done,
      row.id,
      row.attempts,
    ],
  );
  return result.length > 0;
}

/** Rows waiting in every queue and the age of the oldest, for the metrics. */
export async function backlog(em: EntityManager, queues: WorkQueue[]): Promise<{ name: string; pending: number; oldestSeconds: number }[]> {
  const parts = [
    `select 'event' as name, count(*)::int as pending, coalesce(extract(epoch from now() - min(created_at)), 0)::float as oldest from outbox_event where dispatched_at is null`,
    ...queues.map(
      (q) => `select '${q.name}', count(*)::int, coalesce(extract(epoch from now() - min(created_at)), 0)::float from ${q.table} where status = 'PENDING'`,
    ),
  ];
  const rows = await query<{ name: string; pending: number; oldest: number }>(em, parts.join(' union all '));
  return rows.map((r) => ({ name: r.name, pending: Number(r.pending), oldestSeconds: Number(r.oldest) }));
}

/**
 * Events as a data-modifying CTE (`, outbox as (insert …)`), for a writer that puts its rows in
 * one statement: `orderFrom` names a CTE of that statement whose one row's `number` goes into
 * each event's `data.order.number` (drawn from a sequence by that same statement). Parameters are
 * appended to `params` in the order of the text.
 */
export function eventsInsertCte(events: NewEvent[], params: unknown[], orderFrom: string): string {
  if (!events.length) return '';
  const now = new Date();
  const tuples = events.map((e) => {
    params.push(randomUUID(), e.type, e.subjectId ?? null, JSON.stringify(e.data), now);
    return '(?::uuid, ?, ?::uuid, ?::jsonb, ?::timestamptz)';
  });
  return `,
          outbox as (insert into outbox_event (id, type, subject_id, data, created_at)
            select e.id, e.type, e.subject_id, jsonb_set(e.data, '{order,number}', to_jsonb(${orderFrom}.number)), e.created_at
              from ${orderFrom}, (values ${tuples.join(', ')}) as e(id, type, subject_id, data, created_at))`;
}

/**
 * Deletes up to `batch` events fanned out before `cutoff`, with their webhook deliveries (the
 * foreign keys cascade; a message keeps its row). Locked rows are skipped: another instance is
 * pruning them.
 */
export async function pruneEvents(em: EntityManager, cutoff: Date, batch: number): Promise<number> {
  const rows = await query<{ id: string }>(
    em,
    `delete from outbox_event where id in (
       select id from outbox_event where dispatched_at < ? order by dispatched_at limit ? for update skip locked)
     returning id`,
    [cutoff, batch],
  );
  return rows.length;
}
