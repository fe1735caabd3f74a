import type pg from 'pg';
import {
  BenchBrowseDocument,
  CustomerSignUpDocument,
  LocationCreateDocument,
  ProductCreateDocument,
  PromotionCreateDocument,
  StaffCreateDocument,
  StaffSignInDocument,
  TaxRateSetDocument,
} from '../test/support/generated/graphql';
import type { HttpClient } from './http-client';
import { checkoutJourney } from '../test/support/journeys';

export interface BenchData {
  /** The store every checkout journey picks up at. */
  storeId: string;
  /** The busy store whose pickup queue the POS workload reads. */
  busyStoreId: string;
  associateToken: string;
  skus: string[];
  customerTokens: string[];
  /** The service's cursor before each page of products (null: the first page). */
  pageCursors: (string | null)[];
  /** The baseline's keyset before each page (undefined: the first page). */
  pageKeys: ({ createdAt: Date; id: string } | undefined)[];
}

export interface SeedOptions {
  adminEmail: string;
  adminPassword: string;
  products: number;
  variantsPerProduct: number;
  customers: number;
  queueDepth: number;
  pageSize: number;
  /** Active automatic promotions over the catalog, with a tax rate at the stores' address (0: none, no tax). */
  promotions?: number;
}

/** Runs `work` over `items` with at most `limit` in flight; `worker` says which of them runs it. */
async function inParallel<T, R>(items: T[], limit: number, work: (item: T, index: number, worker: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async (_, worker) => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i], i, worker);
      }
    }),
  );
  return results;
}

function must<T extends { userErrors: { code: string; message: string }[] }>(what: string, payload: T): T {
  if (payload.userErrors.length) throw new Error(`seeding ${what}: ${JSON.stringify(payload.userErrors)}`);
  return payload;
}

/**
 * The benchmark's own data, through the public API where the service offers it: two pickup
 * stores, a catalog, customers with sessions, an associate of the busy store and its queue of
 * open pickup orders. Stock is set in one SQL statement (a million units of everything, with
 * the matching ledger rows) so that no checkout ever runs out.
 */
export async function seed(client: HttpClient, db: pg.Pool, o: SeedOptions): Promise<BenchData> {
  const run = Date.now().toString(36).toUpperCase();
  const { staffSignIn } = await client.data(StaffSignInDocument, { email: o.adminEmail, password: o.adminPassword });
  const admin = { token: staffSignIn.token! };
  // With promotions, the stores stand where a tax rate applies: every pickup is taxed.
  const address = o.promotions ? { line1: '1 Bench St', city: 'Benchville', postalCode: '10001', countryCode: 'US', regionCode: 'NY' } : undefined;
  if (o.promotions)
    must(
      'tax rate',
      (await client.data(TaxRateSetDocument, { input: { countryCode: 'US', regionCode: 'NY', name: 'NY sales tax', rateBasisPoints: 400 } }, admin)).taxRateSet,
    );
  const store = async (code: string, name: string) =>
    must('location', (await client.data(LocationCreateDocument, { input: { code, name, kind: 'STORE', pickupEnabled: true, address } }, admin)).locationCreate)
      .location!.id;
  const storeId = await store(`MAIN-${run}`, 'Main Street');
  const busyStoreId = await store(`BUSY-${run}`, 'Central Station');

  const skus = (
    await inParallel(
      Array.from({ length: o.products }, (_, i) => i),
      4,
      async (i) => {
        const variants = Array.from({ length: o.variantsPerProduct }, (_, v) => ({
          sku: `B${run}-${i}-${v}`,
          title: `Size ${v + 1}`,
          priceAmount: 500 + ((i * 37 + v * 11) % 9500),
        }));
        must('product', (await client.data(ProductCreateDocument, { input: { title: `Bench product ${i}`, variants } }, admin)).productCreate);
        return variants.map((v) => v.sku);
      },
    )
  ).flat();

  // Promotions as a retailer runs them: one storewide above a minimum, the others on ranges of
  // products, so that most carts qualify for several and the engine picks the best.
  for (let i = 0; i < (o.promotions ?? 0); i++) {
    const range = i === 0 ? [] : skus.filter((_, k) => Math.floor(k / 40) % Math.max(1, (o.promotions ?? 1) - 1) === i - 1);
    const input = { title: `Bench offer ${i}`, percentOff: 5 + (i % 20), minSubtotal: i === 0 ? 50_00 : undefined, skus: range };
    must('promotion', (await client.data(PromotionCreateDocument, { input }, admin)).promotionCreate);
  }

  await db.query(
    `with levels as (
       insert into stock_level (id, location_id, variant_id, on_hand, reserved)
       select gen_random_uuid(), l.id, v.id, 1000000, 0 from product_variant v cross join location l where l.id = any($1::uuid[])
       returning location_id, variant_id)
     insert into inventory_movement (id, location_id, variant_id, kind, on_hand_delta, reserved_delta, created_at)
     select gen_random_uuid(), location_id, variant_id, 'ADJUSTMENT', 1000000, 0, now() from levels`,
    [[storeId, busyStoreId]],
  );

  const customerTokens = await inParallel(
    Array.from({ length: o.customers }, (_, i) => i),
    4,
    async (i) => {
      const input = { email: `shopper-${i}-${run}@bench.test`.toLowerCase(), password: 'bench-shopper-pass', name: `Shopper ${i}` };
      return must('customer', (await client.data(CustomerSignUpDocument, { input })).customerSignUp).token!;
    },
  );

  const associate = { email: `associate-${run}@bench.test`.toLowerCase(), password: 'bench-associate-pass' };
  must('staff', (await client.data(StaffCreateDocument, { input: { ...associate, role: 'ASSOCIATE', locationId: busyStoreId } }, admin)).staffCreate);
  const associateToken = (await client.data(StaffSignInDocument, associate)).staffSignIn.token!;

  // The busy store's queue: open pickup orders. A customer has one active cart, so each worker
  // builds its journeys as its own customer.
  await inParallel(
    Array.from({ length: o.queueDepth }, (_, i) => i),
    Math.min(8, customerTokens.length),
    (i, _, worker) => checkoutJourney(client, { skus: pick(skus, 3, i), storeId: busyStoreId, token: customerTokens[worker] }),
  );

  const pageCursors: (string | null)[] = [null];
  for (;;) {
    const { products } = await client.data(BenchBrowseDocument, { first: o.pageSize, after: pageCursors[pageCursors.length - 1] });
    if (!products.pageInfo.hasNextPage || products.edges.length < o.pageSize) break;
    pageCursors.push(products.pageInfo.endCursor ?? null);
  }
  // Fresh tables have no planner statistics yet; a live database would have them.
  await db.query('analyze');
  const { rows } = await db.query<{ created_at: Date; id: string }>('select created_at, id from product order by created_at, id');
  const pageKeys = pageCursors.map((_, page) =>
    page === 0 ? undefined : { createdAt: rows[page * o.pageSize - 1].created_at, id: rows[page * o.pageSize - 1].id },
  );
  return { storeId, busyStoreId, associateToken, skus, customerTokens, pageCursors, pageKeys };
}

/** `n` distinct SKUs, spread so that concurrent journeys rarely want the same stock row. */
export function pick(skus: string[], n: number, seed = Math.floor(Math.random() * 1e9)): string[] {
  const picked = new Set<string>();
  let i = seed;
  while (picked.size < n) picked.add(skus[(i = (i * 7919 + 104729) % 2147483647) % skus.length]);
  return [...picked];
}
