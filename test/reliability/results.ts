import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR } from './results-dir';

export type Figures = Record<string, string | number>;

/**
 * Records the figures of one reliability scenario for test/reliability/RESULTS.md, which the
 * results reporter writes when the run ends (tests run in workers; the reporter in the parent).
 */
export function recordFigures(scenario: string, database: string, figures: Figures): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${scenario}-${database}`.replace(/[^a-z0-9-]+/gi, '_');
  writeFileSync(join(RESULTS_DIR, `${file}.json`), JSON.stringify({ scenario, database, figures, at: new Date().toISOString() }));
}

/** Which database the reliability-postgres / reliability-embedded project runs on. */
export const databaseKind = (): string =>
  process.env.TEST_DATABASE_KIND === 'postgres' && process.env.TEST_POSTGRES_SERVER === 'true' ? 'PostgreSQL 15 server' : 'embedded PGlite';
