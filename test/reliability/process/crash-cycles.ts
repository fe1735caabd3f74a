import { Client } from 'pg';
import { invariantViolations } from '../../../src/core/db/invariants';
import { CheckoutLoad, type World } from './load';

/** A small seeded generator, so a failing run can be repeated with RELIABILITY_SEED. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SEED = Number(process.env.RELIABILITY_SEED ?? 20261125);
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The invariants over a server database, read in one snapshot. */
export async function serverInvariants(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    return await invariantViolations(async (sql) => (await client.query(sql)).rows);
  } finally {
    await client.end();
  }
}

export interface CycleTotals {
  cycles: number;
  acknowledged: number;
  inFlightAtCrash: number;
  lost: number;
  duplicates: number;
  retryProblems: number;
  violations: number;
  problems: string[];
}

/**
 * `cycles` times: a checkout load, a crash at a random moment, recovery; then every order ever
 * acknowledged must still be there with its totals, every unanswered checkout retried with its
 * key must give one order, and (when `invariants` is given) the invariants must hold.
 */
export async function crashCycles(options: {
  cycles: number;
  workers: number;
  world: World;
  adminToken: string;
  url: string;
  /** Crashes something at the chosen moment and brings it back; returns the service URL to use next. */
  crash: () => Promise<string>;
  invariants?: () => Promise<string[]>;
}): Promise<CycleTotals> {
  const random = seededRandom(SEED);
  const load = new CheckoutLoad(options.world);
  const totals: CycleTotals = {
    cycles: options.cycles,
    acknowledged: 0,
    inFlightAtCrash: 0,
    lost: 0,
    duplicates: 0,
    retryProblems: 0,
    violations: 0,
    problems: [],
  };
  let url = options.url;
  for (let cycle = 0; cycle < options.cycles; cycle++) {
    let stopped = false;
    const running = load.run(url, options.workers, () => stopped);
    await sleep(600 + Math.floor(random() * 2400));
    url = await options.crash();
    stopped = true;
    await running;
    const retried = load.retriedAfterCrash;
    const retryProblems = await load.retryPending(url);
    totals.inFlightAtCrash += load.retriedAfterCrash - retried;
    const lost = await load.lostOrChanged(url, options.adminToken);
    const violations = (await options.invariants?.()) ?? [];
    totals.retryProblems += retryProblems.length;
    totals.violations += violations.length;
    totals.problems.push(...retryProblems, ...lost, ...violations.map((v) => `cycle ${cycle}: ${v}`));
    totals.lost = lost.length;
  }
  totals.acknowledged = load.acked.length;
  totals.duplicates = load.duplicates();
  return totals;
}
