import type { TxContext } from '../../core/context';
import { Order, OrderLine } from './order.entity';

/** Column → value of one row to insert. A value of `Sql` is an SQL expression with its own parameters. */
type Row = Record<string, unknown>;

export class Sql {
  constructor(
    readonly sql: string,
    readonly params: unknown[] = [],
  ) {}
}

export interface PlacedOrderRows {
  order: Row;
  lines: Row[];
  payment: Row;
  event: Row;
  /** Outbox events about the new order; their `data.order.number` is filled in from the inserted order. */
  outbox: Row[];
}

/**
 * A new order with its lines, payment and first event in one statement (one round trip instead
 * of one per table). The rows carry their ids, so each insert names the order directly; the
 * foreign keys are checked at the end of the statement, when the order is there. Returns the
 * order and its lines as managed entities, as if they had been read back.
 */
export async function insertPlacedOrder(tx: TxContext, rows: PlacedOrderRows): Promise<{ order: Order; lines: OrderLine[] }> {
  const params: unknown[] = [];
  const insert = (table: string, values: Row[], returning = '') => {
    const columns = Object.keys(values[0]);
    const tuples = values.map((row) => `(${columns.map((c) => placeholder(row[c], params)).join(', ')})`);
    return `insert into ${table} (${columns.join(', ')}) values ${tuples.join(', ')}${returning}`;
  };
  const [order] = await tx.em.execute<Row[]>(
    `with placed as (${insert('orders', [rows.order], ' returning *')}),
          payment as (${insert('payment', [rows.payment])}),
          event as (${insert('order_event', [rows.event])}),
          lines as (${insert('order_line', rows.lines)})${outboxInsert(rows.outbox, params)}
     select * from placed`,
    params,
  );
  return { order: tx.em.map(Order, order), lines: rows.lines.map((line) => tx.em.map(OrderLine, line)) };
}

/** The outbox rows, with the order number the insert drew from the sequence. */
function outboxInsert(events: Row[], params: unknown[]): string {
  if (!events.length) return '';
  const tuples = events.map((e) => {
    params.push(e.id, e.type, e.subject_id, JSON.stringify(e.data), e.created_at);
    return '(?::uuid, ?, ?::uuid, ?::jsonb, ?::timestamptz)';
  });
  return `,
          outbox as (insert into outbox_event (id, type, subject_id, data, created_at)
            select e.id, e.type, e.subject_id, jsonb_set(e.data, '{order,number}', to_jsonb(placed.number)), e.created_at
              from placed, (values ${tuples.join(', ')}) as e(id, type, subject_id, data, created_at))`;
}

function placeholder(value: unknown, params: unknown[]): string {
  if (value instanceof Sql) {
    params.push(...value.params);
    return value.sql;
  }
  // jsonb columns take the document as text: the driver would otherwise expand an array.
  params.push(value !== null && typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : (value ?? null));
  return '?';
}
