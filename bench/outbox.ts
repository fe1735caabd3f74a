import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createApp, type App } from '../src/app';
import { loadConfig } from '../src/core/config';
import { record, WebhookTopic } from '../src/modules/outbox';
import { Samples } from './stats';

/**
 * `npm run bench:outbox`: what the outbox dispatcher sustains on this machine. A local receiver
 * answers 200 at once; the service runs in this process (one instance).
 * - throughput: N events committed while no dispatcher runs, then one dispatcher starts; events
 *   per second from its start until the last delivery is marked DELIVERED;
 * - latency: events committed one by one at a steady rate with the dispatcher running; time
 *   from the transaction's COMMIT returning to the receiver reading the request.
 * On a fresh PostgreSQL database (DATABASE_URL's server) and on the embedded database.
 */
const env = (name: string, fallback: string) => process.env[name]?.trim() || fallback;
const BASE_URL = env('DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/postgres');
const EVENTS = Number(env('BENCH_OUTBOX_EVENTS', '3000'));
/** Webhooks subscribed to every event (each its own receiver): deliveries = events × webhooks. */
const WEBHOOKS = Number(env('BENCH_OUTBOX_WEBHOOKS', '1'));
const LATENCY_EVENTS = Number(env('BENCH_OUTBOX_LATENCY_EVENTS', '300'));
const RATE = Number(env('BENCH_OUTBOX_RATE', '50'));

interface Receiver {
  url: string;
  arrivals: Map<string, number>;
  server: Server;
}

async function receiver(): Promise<Receiver> {
  const arrivals = new Map<string, number>();
  const server = createServer((req, res) => {
    const at = performance.now();
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      if (!arrivals.has(id)) arrivals.set(id, at);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, arrivals, server };
}

const settings = (database: Record<string, string>, dispatch: boolean) =>
  loadConfig({
    NODE_ENV: 'production',
    ADMIN_PASSWORD: 'bench-admin-password',
    LOG_LEVEL: 'warn',
    SEED_DEMO_DATA: 'false',
    JOBS_ENABLED: 'false',
    METRICS_ENABLED: 'false',
    OUTBOX_DISPATCHER_ENABLED: String(dispatch),
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    // No polling to hide behind: a wake-up that is not heard shows as latency.
    OUTBOX_POLL_MS: '60000',
    OUTBOX_CONCURRENCY: env('OUTBOX_CONCURRENCY', '32'),
    ...database,
  });

async function commitEvents(app: App, count: number, perTransaction = 100): Promise<void> {
  for (let done = 0; done < count; done += perTransaction) {
    await app.orm.em.fork().transactional(async (em) => {
      for (let i = done; i < Math.min(count, done + perTransaction); i++) {
        record({ em }, { type: WebhookTopic.ORDER_PLACED, data: { order: { id: `bench-${i}`, number: `B-${i}`, status: 'PLACED' } } });
      }
    });
  }
}

async function addWebhook(app: App, url: string): Promise<void> {
  await app.orm.em
    .fork()
    .getConnection()
    .execute(`insert into webhook (id, url, topics, secret, active, created_at) values (gen_random_uuid(), ?, '{ORDER_PLACED}', ?, true, now())`, [
      url,
      `whsec_${Buffer.from('b'.repeat(24)).toString('base64')}`,
    ]);
}

async function measure(label: string, database: Record<string, string>): Promise<string[]> {
  const sinks = await Promise.all(Array.from({ length: WEBHOOKS }, () => receiver()));
  const sink = sinks[0];
  // Throughput: a backlog, then a dispatcher.
  const writer = await createApp(settings(database, false));
  for (const s of sinks) await addWebhook(writer, s.url);
  await commitEvents(writer, EVENTS);
  const databaseUrl = writer.databaseUrl;
  await writer.close();
  const embedded = !database.DATABASE_URL;
  const app = await createApp(settings(embedded ? database : { DATABASE_URL: databaseUrl }, true));
  const started = performance.now();
  for (;;) {
    const [{ n }] = await app.orm.em
      .fork()
      .getConnection()
      .execute<{ n: number }[]>(`select count(*)::int as n from webhook_delivery where status = 'DELIVERED'`);
    if (n >= EVENTS * WEBHOOKS) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  const throughput = EVENTS / seconds;

  // Latency: one event per transaction at a steady rate.
  const committed = new Map<string, number>();
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    const tick = performance.now();
    const id = await app.orm.em
      .fork()
      .transactional(
        async (em) => record({ em }, { type: WebhookTopic.ORDER_PLACED, data: { order: { id: `lat-${i}`, number: `L-${i}`, status: 'PLACED' } } }).id,
      );
    committed.set(id, performance.now());
    const wait = 1000 / RATE - (performance.now() - tick);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const deadline = Date.now() + 30_000;
  while ([...committed.keys()].some((id) => !sink.arrivals.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const latencies = new Samples();
  for (const [id, at] of committed) if (sink.arrivals.has(id)) latencies.add(sink.arrivals.get(id)! - at);
  await app.close();
  for (const s of sinks) s.server.close();
  const ms = (q: number) => latencies.percentile(q).toFixed(1);
  console.log(
    `${label}: ${throughput.toFixed(0)} events/s, ${(throughput * WEBHOOKS).toFixed(0)} deliveries/s to ${WEBHOOKS} webhook(s) (${EVENTS} in ${seconds.toFixed(2)} s); latency p50 ${ms(50)} ms, p99 ${ms(99)} ms, max ${ms(100)} ms (${latencies.count}/${LATENCY_EVENTS} at ${RATE}/s)`,
  );
  return [
    label,
    String(WEBHOOKS),
    throughput.toFixed(0),
    (throughput * WEBHOOKS).toFixed(0),
    `${EVENTS} in ${seconds.toFixed(2)} s`,
    ms(50),
    ms(99),
    ms(100),
    `${latencies.count}/${LATENCY_EVENTS}`,
  ];
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  const name = `commerce_outbox_bench_${Date.now()}`;
  await admin.query(`create database "${name}"`);
  const rows: string[][] = [];
  try {
    const url = new URL(BASE_URL);
    url.pathname = `/${name}`;
    rows.push(await measure('PostgreSQL server', { DATABASE_URL: url.toString() }));
    const dataDir = mkdtempSync(join(tmpdir(), 'outbox-bench-'));
    try {
      rows.push(await measure('embedded (PGlite)', { DATA_DIR: dataDir }));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  } finally {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
  console.log(`\n${new Date().toISOString()}, ${cpus().length} cores, Node ${process.version}; one instance, receivers answer 200 at once.`);
  console.log('| database | webhooks | events/s | deliveries/s | backlog drained | p50 ms | p99 ms | max ms | delivered |');
  console.log('|---|---:|---:|---:|---|---:|---:|---:|---:|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
