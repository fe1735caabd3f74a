import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { Baseline } from './baseline';
import { HttpClient } from './http-client';
import { browse, buildCart, checkoutJourney, pickupQueue } from '../test/support/journeys';
import { TEST_LIMITS } from '../test/support/limits';
import { renderResults, type Cell, type RunInfo } from './report';
import { pick, seed, type BenchData } from './seed';
import { drive, type OpMeasure, type RunResult } from './stats';

/**
 * `npm run bench`: the service on a fresh PostgreSQL database against the raw-SQL baseline, four
 * workloads at three concurrencies, written to bench/RESULTS.md. Everything it creates (the
 * database, the service process) is removed at the end, on failure and on Ctrl-C.
 */
const env = (name: string, fallback: string) => process.env[name]?.trim() || fallback;
const ROOT = resolve(__dirname, '../..');
const BASE_URL = env('DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/postgres');
const SECONDS = Number(env('BENCH_SECONDS', '10'));
const WARMUP_SECONDS = Number(env('BENCH_WARMUP_SECONDS', '2'));
const CONCURRENCY = env('BENCH_CONCURRENCY', '1,16,64').split(',').map(Number);
const WORKLOADS = env('BENCH_WORKLOADS', 'browse,cart,checkout,queue').split(',') as WorkloadName[];
const POOL_MAX = Number(env('DB_POOL_MAX', '10'));
/** The variant with active promotions and tax: BENCH_PROMOTIONS=20 (results in their own file by default). */
const PROMOTIONS = Number(env('BENCH_PROMOTIONS', '0'));
const PAGE = 50;
const ADMIN = { email: 'admin@bench.test', password: 'bench-admin-password' };

type WorkloadName = 'browse' | 'cart' | 'checkout' | 'queue';

let child: ChildProcess | undefined;
let admin: pg.Client | undefined;
let database: string | undefined;
let cleaning: Promise<void> | undefined;
/** Connection pools to the bench database, closed before it is dropped. */
const pools = new Set<pg.Pool>();

function openPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  // Dropping the database ends idle connections; that must not crash the cleanup.
  pool.on('error', () => undefined);
  pools.add(pool);
  return pool;
}

function databaseUrl(name: string): string {
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Stops the service and drops the database; safe to call more than once. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child!.once('exit', done));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    for (const pool of pools) await pool.end().catch(() => undefined);
    if (admin && database) {
      await admin.query(`drop database if exists "${database}" with (force)`).catch((err) => console.error(`could not drop ${database}: ${err}`));
    }
    await admin?.end().catch(() => undefined);
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the service and dropping the database`);
    void cleanup().finally(() => process.exit(130));
  });
}

const freePort = () =>
  new Promise<number>((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

async function stopService(): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child!.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

async function startService(url: string, profileDir?: string): Promise<{ graphql: string; pid: number }> {
  const port = await freePort();
  child = spawn(process.execPath, [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      DATABASE_URL: url,
      DB_POOL_MAX: String(POOL_MAX),
      JOBS_ENABLED: 'false',
      LOG_LEVEL: 'warn',
      SEED_DEMO_DATA: 'false',
      // The load generator is one address that signs up every shopper, opens thousands of guest
      // carts and places many orders for one customer: the abuse limits would refuse it.
      SIGNUP_MAX_PER_ADDRESS: '100000',
      ...TEST_LIMITS,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      SQL_STATS_HEADER: 'true',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<never>((_, fail) => child!.once('exit', (code) => fail(new Error(`the service exited during start-up (code ${code})`))));
  const base = `http://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let i = 0; i < 600; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the service did not become ready within 60 s');
  })();
  await Promise.race([ready, exited]);
  return { graphql: `${base}/graphql`, pid: child.pid! };
}

const memoryOf = (pid: number): { rssMb: number; peakMb: number } => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
};

/** One operation of each workload, against the service and against the baseline. */
function workloads(client: HttpClient, baseline: Baseline, data: BenchData) {
  const randomPage = () => Math.floor(Math.random() * data.pageCursors.length);
  const customer = (user: number) => data.customerTokens[user % data.customerTokens.length];
  return {
    browse: {
      service: async (_user: number, m: OpMeasure) => void (await browse(client.for(m), PAGE, data.pageCursors[randomPage()])),
      baseline: async (_user: number, m: OpMeasure) => void (await baseline.browse(m, PAGE, data.pageKeys[randomPage()])),
    },
    cart: {
      service: async (_user: number, m: OpMeasure) => void (await buildCart(client.for(m), pick(data.skus, 3))),
      baseline: async (_user: number, m: OpMeasure) => {
        const cartId = await baseline.cartCreate(m, undefined);
        for (const sku of pick(data.skus, 3)) await baseline.addLine(m, undefined, cartId, sku, 1);
        await baseline.readCart(m, undefined, cartId);
      },
    },
    checkout: {
      service: async (user: number, m: OpMeasure) =>
        void (await checkoutJourney(client.for(m), { skus: pick(data.skus, 3), storeId: data.storeId, token: customer(user) })),
      baseline: async (user: number, m: OpMeasure) => {
        const token = customer(user);
        const cartId = await baseline.cartCreate(m, token);
        for (const sku of pick(data.skus, 3)) await baseline.addLine(m, token, cartId, sku, 1);
        await baseline.readCart(m, token, cartId);
        await baseline.setPickup(m, token, cartId, data.storeId);
        const started = performance.now();
        await baseline.checkout(m, token, cartId, `base-${process.pid}-${Math.random().toString(36).slice(2)}`);
        m.checkoutMs = performance.now() - started;
      },
    },
    queue: {
      service: async (_user: number, m: OpMeasure) => void (await pickupQueue(client.for(m), { storeId: data.busyStoreId, token: data.associateToken })),
      baseline: async (_user: number, m: OpMeasure) => void (await baseline.pickupQueue(m, data.associateToken, data.busyStoreId)),
    },
  } satisfies Record<WorkloadName, { service: (u: number, m: OpMeasure) => Promise<void>; baseline: (u: number, m: OpMeasure) => Promise<void> }>;
}

const fmt = (r: RunResult) =>
  `${(r.ops / r.seconds).toFixed(1)}/s p50 ${r.latency.percentile(50).toFixed(1)} p99 ${r.latency.percentile(99).toFixed(1)} ms, ${(r.statements / Math.max(1, r.ops)).toFixed(1)} stmts/op${r.errors ? `, ${r.errors} errors (${r.firstError})` : ''}`;

async function main(): Promise<void> {
  const started = new Date();
  const info: RunInfo = {
    variant: PROMOTIONS ? `${PROMOTIONS} active automatic promotions and a 4 % sales tax on every pickup (BENCH_PROMOTIONS=${PROMOTIONS})` : undefined,
    date: started.toISOString(),
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadStart: loadavg(),
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    poolMax: POOL_MAX,
  };
  console.log(
    `benchmark: ${info.cores} cores, load average ${info.loadStart.map((l) => l.toFixed(2)).join(' ')}, node ${info.node}, ${SECONDS} s per run after ${WARMUP_SECONDS} s warm-up`,
  );

  admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  database = `commerce_bench_${Date.now()}_${process.pid}`;
  await admin.query(`create database "${database}"`);
  const url = databaseUrl(database);

  let service = await startService(url);
  console.log(`service pid ${service.pid} at ${service.graphql} on database ${database}`);
  info.memoryStart = memoryOf(service.pid);
  let client = new HttpClient(service.graphql);
  const db = openPool(url, 2);
  const seedStarted = Date.now();
  const data = await seed(client, db, {
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
    products: 250,
    variantsPerProduct: 4,
    customers: Math.max(16, ...CONCURRENCY),
    queueDepth: 200,
    pageSize: PAGE,
    promotions: PROMOTIONS,
  });
  console.log(
    `seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s: ${data.skus.length} variants, ${data.customerTokens.length} customers, a pickup queue of 200`,
  );
  const profileDir = process.env.BENCH_CPU_PROF;
  if (profileDir) {
    // A fresh process for the measured runs, so the profile (written at exit) leaves seeding out.
    await stopService();
    service = await startService(url, profileDir);
    client = new HttpClient(service.graphql);
    console.log(`profiling service pid ${service.pid} into ${profileDir}`);
  }

  const baseline = new Baseline(openPool(url, POOL_MAX));
  const cells: Cell[] = [];
  const table = workloads(client, baseline, data);
  {
    for (const workload of WORKLOADS) {
      for (const concurrency of CONCURRENCY) {
        // The service's resident memory, sampled while it runs the cell: the peak and where it settles.
        let peakRss = 0;
        const sampler = setInterval(() => (peakRss = Math.max(peakRss, memoryOf(service.pid).rssMb)), 200);
        const svc = await drive(concurrency, WARMUP_SECONDS * 1000, SECONDS * 1000, table[workload].service).finally(() => clearInterval(sampler));
        const rss = memoryOf(service.pid).rssMb;
        peakRss = Math.max(peakRss, rss);
        console.log(
          `${workload.padEnd(8)} c=${String(concurrency).padEnd(2)} service  ${fmt(svc)}, service RSS ${rss.toFixed(0)} MB (peak ${peakRss.toFixed(0)})`,
        );
        const base = await drive(concurrency, WARMUP_SECONDS * 1000, SECONDS * 1000, table[workload].baseline);
        console.log(`${workload.padEnd(8)} c=${String(concurrency).padEnd(2)} baseline ${fmt(base)}`);
        cells.push({ workload, concurrency, service: svc, baseline: base, serviceRssMb: rss, servicePeakRssMb: peakRss });
      }
    }
  }
  info.loadEnd = loadavg();
  info.memory = memoryOf(service.pid);
  info.durationSeconds = (Date.now() - started.getTime()) / 1000;

  const path = resolve(ROOT, env('BENCH_RESULTS', PROMOTIONS ? 'bench/RESULTS-promotions.md' : 'bench/RESULTS.md'));
  const { markdown, summary } = renderResults(info, cells, existsSync(path) ? readFileSync(path, 'utf8') : '');
  writeFileSync(path, markdown);
  console.log(`\n${summary}\nwritten to ${path}`);
}

// Bounded whatever happens: a run that hangs is stopped and cleaned up.
const watchdog = setTimeout(() => {
  console.error('the benchmark took more than 20 minutes: stopping');
  void cleanup().finally(() => process.exit(1));
}, 20 * 60_000);
watchdog.unref();

main()
  .then(() => cleanup())
  .catch(async (err) => {
    console.error(err instanceof Error ? err.stack : err);
    await cleanup();
    process.exit(1);
  });
