import 'reflect-metadata';
import pg from 'pg';
import { createApp } from '../src/app';
import { SYSTEM } from '../src/core/auth/actor';
import { Channel } from '../src/core/channel';
import { loadConfig } from '../src/core/config';
import { recommendationService } from '../src/modules/recommendation';
import { ClientelingLookupDocument, CustomerSignUpDocument, RecommendationsDocument } from '../test/support/generated/graphql';
import { checkoutJourney } from '../test/support/journeys';
import { HttpClient } from './http-client';
import { pick, seed } from './seed';

/**
 * How long recommendations take on the benchmark's data: the benchmark's seed (1,000 variants, 64
 * customers, a queue of 200 orders) plus BENCH_ORDERS more checkout journeys (what the checkout
 * workload leaves behind), learnt by the job; then every customer's `me { recommendations }` at a
 * store and the till's whole lookup, one request at a time, BENCH_ROUNDS rounds.
 *
 *   npm run build && npx tsc -p tsconfig.bench.json && node dist/bench/recommendations.js
 */
const env = (name: string, fallback: string) => process.env[name]?.trim() || fallback;
const BASE_URL = env('DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/postgres');
const ORDERS = Number(env('BENCH_ORDERS', '3000'));
const ROUNDS = Number(env('BENCH_ROUNDS', '10'));
const ADMIN = { email: 'admin@bench.test', password: 'bench-admin-password' };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const summary = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return `n=${sorted.length} p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`;
};

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  const database = `commerce_bench_reco_${Date.now()}_${process.pid}`;
  await admin.query(`create database "${database}"`);
  const url = new URL(BASE_URL);
  url.pathname = `/${database}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: url.toString(),
    LOG_LEVEL: 'warn',
    SEED_DEMO_DATA: 'false',
    JOBS_ENABLED: 'false',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  });
  const app = await createApp(config);
  const db = new pg.Pool({ connectionString: url.toString(), max: 2 });
  try {
    const client = new HttpClient(await app.listen(0));
    const data = await seed(client, db, {
      adminEmail: ADMIN.email,
      adminPassword: ADMIN.password,
      products: 250,
      variantsPerProduct: 4,
      customers: 64,
      queueDepth: 200,
      pageSize: 50,
    });
    let next = 0;
    await Promise.all(
      data.customerTokens.slice(0, 8).map(async (token) => {
        while (next < ORDERS) await checkoutJourney(client, { skus: pick(data.skus, 3, next++), storeId: data.storeId, token });
      }),
    );
    const learnt = await recommendationService.learn({
      requestId: 'bench',
      em: app.orm.em.fork(),
      actor: SYSTEM,
      channel: Channel.WEB,
      config,
      log: app.log,
      events: app.events,
    });
    await db.query('analyze');
    const counts = await db.query<{ pairs: string; lines: string }>('select (select count(*) from co_purchase) pairs, (select count(*) from order_line) lines');
    console.log(`orders learnt: ${learnt}; order lines: ${counts.rows[0].lines}; co-purchase pairs: ${counts.rows[0].pairs}`);

    const emails = (await db.query<{ email: string }>(`select email from customer where email like 'shopper-%' order by email`)).rows.map((r) => r.email);
    // A customer who has bought nothing yet (recommendations are then best-sellers).
    const fresh = (await client.data(CustomerSignUpDocument, { input: { email: `fresh-${Date.now()}@bench.test`, password: 'bench-shopper-pass' } }))
      .customerSignUp.token!;
    const me: number[] = [];
    const lookup: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, token] of [...data.customerTokens, fresh].entries()) {
        let started = performance.now();
        const { me: found } = await client.data(RecommendationsDocument, { first: 10, locationId: data.storeId }, { token });
        me.push(performance.now() - started);
        if (!found?.recommendations.length) throw new Error('no recommendations');
        if (i < emails.length) {
          started = performance.now();
          await client.data(ClientelingLookupDocument, { query: emails[i], locationId: data.busyStoreId, first: 10 }, { token: data.associateToken });
          lookup.push(performance.now() - started);
        }
      }
    }
    console.log(`me { recommendations(first: 10, locationId) }: ${summary(me)}`);
    console.log(`customerLookup (profile, cart, 10 orders with lines, points, 5 recommendations): ${summary(lookup)}`);
  } finally {
    await db.end();
    await app.close();
    await admin.query(`drop database if exists "${database}" with (force)`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
