import { perSecond, statementsPerOp, type RunResult } from './stats';

export interface RunInfo {
  /** What this run adds to the standard one (e.g. active promotions and tax). */
  variant?: string;
  date: string;
  cores: number;
  cpuModel: string;
  node: string;
  loadStart: number[];
  loadEnd?: number[];
  seconds: number;
  warmupSeconds: number;
  poolMax: number;
  memory?: { rssMb: number; peakMb: number };
  /** Right after start-up, before seeding. */
  memoryStart?: { rssMb: number; peakMb: number };
  durationSeconds?: number;
}

export interface Cell {
  workload: string;
  concurrency: number;
  service: RunResult;
  baseline: RunResult;
  /** The service's resident memory right after its run of this cell. */
  serviceRssMb: number;
  /** Its highest resident memory while it ran the cell (sampled every 200 ms). */
  servicePeakRssMb: number;
}

/** Everything above this line in RESULTS.md is rewritten by each run; the notes below it are kept. */
export const NOTES_MARKER = '<!-- Written by npm run bench above this line; notes below it are kept. -->';

const OPERATION: Record<string, string> = {
  browse: 'a page of 50 products with variants, prices, available quantity',
  cart: 'create a guest cart, add 3 lines (3 requests), read it with lines and pickup stores',
  checkout: "one customer's whole journey: the cart above, pickup at a store, checkout by card (7 requests)",
  queue: "a busy store's pickup queue (200 open orders) with customers and lines, as its associate",
};

const n = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const lat = (r: RunResult) => `${n(r.latency.percentile(50))} / ${n(r.latency.percentile(95))} / ${n(r.latency.percentile(99))}`;
const ratio = (c: Cell) => perSecond(c.service) / perSecond(c.baseline);

export function renderResults(info: RunInfo, cells: Cell[], previous: string): { markdown: string; summary: string } {
  const rows = cells.map(
    (c) =>
      `| ${c.workload} | ${c.concurrency} | ${n(perSecond(c.service))} | ${n(perSecond(c.baseline))} | **${n(ratio(c), 2)}** | ${lat(c.service)} | ${lat(c.baseline)} | ${n(statementsPerOp(c.service))} | ${n(statementsPerOp(c.baseline))} | ${n(c.servicePeakRssMb, 0)} / ${n(c.serviceRssMb, 0)} | ${c.service.errors + c.baseline.errors} |`,
  );
  const table = [
    '| workload | concurrency | service ops/s | baseline ops/s | ratio service ÷ baseline | service p50 / p95 / p99 ms | baseline p50 / p95 / p99 ms | SQL per op, service | SQL per op, baseline | service RSS MB, peak / after | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');

  const at = (workload: string, concurrency: number) => cells.find((c) => c.workload === workload && c.concurrency === concurrency);
  const targets: string[] = [];
  const check = (label: string, value: number | undefined, limit: string, ok: boolean | undefined) =>
    targets.push(`| ${label} | ${value === undefined ? 'not run' : n(value, 2)} | ${limit} | ${value === undefined ? '–' : ok ? 'met' : '**not met**'} |`);
  const checkout16 = at('checkout', 16);
  const browse16 = at('browse', 16);
  check('checkout journeys/s ÷ baseline, concurrency 16', checkout16 && ratio(checkout16), '≥ 0.50', checkout16 && ratio(checkout16) >= 0.5);
  check('browse requests/s ÷ baseline, concurrency 16', browse16 && ratio(browse16), '≥ 0.50', browse16 && ratio(browse16) >= 0.5);
  const p99 = checkout16?.service.checkoutRequest?.percentile(99);
  check('p99 of the checkoutComplete request, concurrency 16 (ms)', p99, '< 100', p99 !== undefined && p99 < 100);
  const checkoutSql = Math.max(...cells.filter((c) => c.workload === 'checkout').map((c) => statementsPerOp(c.service)));
  check('SQL statements per checkout journey', Number.isFinite(checkoutSql) ? checkoutSql : undefined, '≤ 30', checkoutSql <= 30);
  const browseSql = Math.max(...cells.filter((c) => c.workload === 'browse').map((c) => statementsPerOp(c.service)));
  check('SQL statements per browse request', Number.isFinite(browseSql) ? browseSql : undefined, '≤ 5', browseSql <= 5);
  check('service resident memory after the run (MB)', info.memory?.rssMb, '< 300', info.memory !== undefined && info.memory.rssMb < 300);

  const checkoutRequests = cells
    .filter((c) => c.workload === 'checkout')
    .map(
      (c) =>
        `| ${c.concurrency} | ${c.service.checkoutRequest ? lat({ ...c.service, latency: c.service.checkoutRequest }) : '–'} | ${c.baseline.checkoutRequest ? lat({ ...c.baseline, latency: c.baseline.checkoutRequest }) : '–'} |`,
    );

  const generated = [
    info.variant ? '# Benchmark results: with promotions and tax' : '# Benchmark results',
    '',
    ...(info.variant ? [`Variant: ${info.variant}.`, ''] : []),
    `Latest \`npm run bench\`: ${info.date}, ${info.cores} cores (${info.cpuModel}), Node ${info.node}, load average at start ${info.loadStart.map((l) => l.toFixed(2)).join(' ')}` +
      `${info.loadEnd ? `, at the end ${info.loadEnd.map((l) => l.toFixed(2)).join(' ')}` : ''}. Each cell: ${info.warmupSeconds} s warm-up, then ${info.seconds} s measured, closed loop` +
      ` (each virtual user sends its next operation when the last one is answered). Service and baseline on the same fresh PostgreSQL database, both with ${info.poolMax} connections;` +
      ` the load generator and the baseline run in the benchmark's process, the service in its own (\`NODE_ENV=production\`, \`LOG_LEVEL=warn\`, jobs off).` +
      `${info.durationSeconds ? ` Whole run ${Math.round(info.durationSeconds)} s.` : ''}`,
    '',
    'Operations:',
    ...Object.entries(OPERATION).map(([k, v]) => `- **${k}**: ${v}`),
    '',
    'The baseline does the same logical work per operation with `pg` and hand-written SQL (no HTTP, GraphQL or ORM): each step authenticates the token, checks the rules, writes atomically and reads back what the response shows.',
    '',
    table,
    '',
    'Latency of the single `checkoutComplete` request inside the checkout journey (p50 / p95 / p99 ms):',
    '',
    '| concurrency | service | baseline |',
    '|---:|---:|---:|',
    ...checkoutRequests,
    '',
    '## Targets',
    '',
    '| target | measured | limit | |',
    '|---|---:|---:|---|',
    ...targets,
    '',
    info.memory
      ? `Service memory after the run: ${n(info.memory.rssMb)} MB resident (VmRSS), peak ${n(info.memory.peakMb)} MB (VmHWM)` +
        `${info.memoryStart ? `; ${n(info.memoryStart.rssMb)} MB right after start-up` : ''}.`
      : '',
    '',
  ].join('\n');

  const notesAt = previous.indexOf(NOTES_MARKER);
  const notes = notesAt >= 0 ? previous.slice(notesAt + NOTES_MARKER.length) : '\n';
  return {
    markdown: `${generated}\n${NOTES_MARKER}${notes}`,
    summary: `${table}\n\n| target | measured | limit | |\n|---|---:|---:|---|\n${targets.join('\n')}`,
  };
}
