import { invariantViolations as check } from '../../src/core/db/invariants';
import type { TestApp } from './harness';

/** The invariants of src/core/db/invariants.ts over the suite's database; empty when all hold. */
export function invariantViolations(t: TestApp): Promise<string[]> {
  const conn = t.app.orm.em.fork().getConnection();
  return check((sql) => conn.execute<Record<string, unknown>[]>(sql));
}
