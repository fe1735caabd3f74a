// The built service (`node dist/src/main.js`) as a real process: start-up, demo data, logs,
// graceful shutdown, persistence across restarts, configuration errors, and the PostgreSQL
// server mode. Every process here holds an embedded database (~750 MB), so they run one at a time.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DEMO_STAFF_PASSWORD, demoStaffEmail } from '../../src/seed/demo-data';
import {
  ADMIN,
  adminCreatesStoreAndStock,
  availabilityOf,
  cleanUp,
  gql,
  healthz,
  killAll,
  locations,
  products,
  ServiceProcess,
  staffSignIn,
  tmpDir,
  type LocationRow,
  type ProductRow,
} from './service-process';

/** The server the suite uses (test/setup/databases.ts): DATABASE_URL, else the local default. */
const PG_SERVER_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

afterAll(cleanUp);

function expectDemoCatalog(locationRows: LocationRow[], productRows: ProductRow[]): void {
  const stores = locationRows.filter((l) => l.kind === 'STORE' && l.pickupEnabled);
  const warehouses = locationRows.filter((l) => l.kind === 'WAREHOUSE');
  expect([locationRows.length, stores.length, warehouses.length]).toEqual([4, 3, 1]);
  expect(productRows).toHaveLength(10);
  expect(productRows.flatMap((p) => p.variants)).toHaveLength(50);
}

const serviceEnv = (env: Record<string, string>) => ({ PORT: '0', LOG_LEVEL: 'info', ...env });

// --- the tests ----------------------------------------------------------------------------------

describe('the built service on a fresh data directory, then restarted on it', () => {
  // One service lifecycle, in order: the restart checks what the first run created.
  let dataDir: string;
  let cwd: string;
  let service: ServiceProcess;
  let url: string;
  let created: Awaited<ReturnType<typeof adminCreatesStoreAndStock>> | undefined;

  beforeAll(async () => {
    // A data directory whose parents do not exist yet: the service creates them.
    dataDir = join(tmpDir('data'), 'nested', 'data');
    cwd = tmpDir('cwd');
    service = ServiceProcess.start(serviceEnv({ DATA_DIR: dataDir }), cwd);
    url = await service.ready();
  }, 60_000);
  afterAll(killAll);

  it('answers GET /healthz with 200', async () => {
    const res = await healthz(url);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('seeds the demo data: three pickup stores, a warehouse, ten products of five variants', async () => {
    expectDemoCatalog(await locations(url), await products(url));
  });

  it('lets the admin add a store and a product, set its stock there, and read it back', async () => {
    created = await adminCreatesStoreAndStock(url);
    expect(await availabilityOf(url, created.sku)).toEqual([{ available: 7, location: { code: created.storeCode } }]);
  });

  it('lets a demo store associate sign in; staffMe shows their store', async () => {
    const token = await staffSignIn(url, demoStaffEmail('DOWNTOWN', 'associate'), DEMO_STAFF_PASSWORD);
    const { staffMe } = await gql<{ staffMe: { role: string; location: { code: string } | null } }>(
      url,
      `query WhoAmI { staffMe { role location { code } } }`,
      {},
      token,
    );
    expect(staffMe).toEqual({ role: 'ASSOCIATE', location: { code: 'DOWNTOWN' } });
  });

  it('logs JSON lines; request lines carry the request id and operation name; the default admin password is warned about', async () => {
    await gql(url, `query LogProbe { locations { code } }`);
    const request = await service.waitForLog((l) => l.msg === 'request' && l.operation === 'LogProbe', 5_000);
    expect(request).toMatchObject({ level: 'info', method: 'POST', path: '/graphql', status: 200 });
    expect(request.requestId).toEqual(expect.any(String));

    for (const line of service.logs()) {
      expect(['debug', 'info', 'warn', 'error']).toContain(line.level);
      expect(Number.isNaN(Date.parse(line.time))).toBe(false);
      expect(line.msg).toEqual(expect.any(String));
    }
    const warning = service.logs().find((l) => l.level === 'warn' && l.msg.includes('DEFAULT PASSWORD'));
    expect(warning?.msg).toContain(ADMIN.email);
  });

  it('exits with code 0 within 10 s of SIGTERM, logging "stopped"', async () => {
    const { code, ms } = await service.stop();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(service.logs().map((l) => l.msg)).toContain('stopped');
  });

  it('keeps the data across a restart and does not seed or create the admin twice', async () => {
    expect(created).toBeDefined();
    const restarted = ServiceProcess.start(serviceEnv({ DATA_DIR: dataDir }), cwd);
    const restartedUrl = await restarted.ready();

    const locationRows = await locations(restartedUrl);
    expect(locationRows).toHaveLength(5);
    expect(locationRows.map((l) => l.code)).toContain(created!.storeCode);
    const productRows = await products(restartedUrl);
    expect(productRows).toHaveLength(11);
    expect(productRows.map((p) => p.title)).toContain(created!.title);
    expect(await availabilityOf(restartedUrl, created!.sku)).toEqual([{ available: 7, location: { code: created!.storeCode } }]);
    await staffSignIn(restartedUrl, ADMIN.email, ADMIN.password);

    const messages = restarted.logs().map((l) => l.msg);
    expect(messages).not.toContain('migrations applied');
    expect(messages).not.toContain('admin account created');
    expect(messages).not.toContain('demo data seeded');
    expect((await restarted.stop()).code).toBe(0);
  }, 60_000);
});

describe('DATA_DIR=memory://', () => {
  afterEach(killAll);

  it('starts with the demo data and keeps nothing between runs', async () => {
    const cwd = tmpDir('memory');
    const first = ServiceProcess.start(serviceEnv({ DATA_DIR: 'memory://' }), cwd);
    const firstUrl = await first.ready();
    const { storeCode } = await adminCreatesStoreAndStock(firstUrl);
    expect((await locations(firstUrl)).map((l) => l.code)).toContain(storeCode);
    expect((await first.stop()).code).toBe(0);

    const second = ServiceProcess.start(serviceEnv({ DATA_DIR: 'memory://' }), cwd);
    const secondUrl = await second.ready();
    expectDemoCatalog(await locations(secondUrl), await products(secondUrl));
    expect(second.logs().map((l) => l.msg)).toContain('demo data seeded');
    expect((await second.stop()).code).toBe(0);
    expect(readdirSync(cwd)).toEqual([]);
  }, 90_000);
});

describe('a bad configuration stops start-up with a message naming the variable', () => {
  afterEach(killAll);

  const failedStart = async (env: Record<string, string>) => {
    const service = ServiceProcess.start(env, tmpDir('config'));
    const { code } = await service.exited;
    expect(service.lines.join('\n')).not.toContain('service ready');
    return { code, stderr: service.stderr };
  };

  it('PORT=abc', async () => {
    const { code, stderr } = await failedStart({ PORT: 'abc', DATA_DIR: 'memory://' });
    expect(code).not.toBe(0);
    expect(stderr).toContain('PORT');
  });

  it('NODE_ENV=production without ADMIN_PASSWORD', async () => {
    const { code, stderr } = await failedStart({ NODE_ENV: 'production', PORT: '0', DATA_DIR: 'memory://' });
    expect(code).not.toBe(0);
    expect(stderr).toContain('ADMIN_PASSWORD');
  });
});

describe('DATABASE_URL: a PostgreSQL server instead of the embedded database', () => {
  let reachable = false;
  let databaseUrl: string | undefined;

  const onServer = async <T>(work: (client: Client) => Promise<T>, url = PG_SERVER_URL): Promise<T> => {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  beforeAll(async () => {
    reachable = await onServer(async (c) => (await c.query('select 1'), true)).catch(() => false);
    if (!reachable) return;
    const name = `commerce_svc_${Date.now()}_${process.pid}`;
    await onServer((c) => c.query(`create database "${name}"`));
    const url = new URL(PG_SERVER_URL);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  });

  afterEach(killAll);

  afterAll(async () => {
    if (!databaseUrl) return;
    const name = new URL(databaseUrl).pathname.slice(1);
    await onServer((c) => c.query(`drop database if exists "${name}" with (force)`));
  });

  it('migrates, seeds, serves and stops on a fresh database', async () => {
    if (!reachable) {
      if (process.env.CI) throw new Error(`No PostgreSQL server at ${PG_SERVER_URL}: CI must test the DATABASE_URL mode.`);
      console.warn(`No PostgreSQL server at ${PG_SERVER_URL}: the DATABASE_URL start-up test is skipped.`);
      return;
    }
    const cwd = tmpDir('pg');
    const service = ServiceProcess.start(serviceEnv({ DATABASE_URL: databaseUrl! }), cwd);
    const url = await service.ready();
    expect((await service.waitForLog((l) => l.msg === 'service ready')).database).toBe('postgresql');

    expect((await healthz(url)).status).toBe(200);
    expectDemoCatalog(await locations(url), await products(url));
    await staffSignIn(url, ADMIN.email, ADMIN.password);
    const admins = await onServer((c) => c.query<{ n: string }>(`select count(*) as n from staff where email = $1`, [ADMIN.email]), databaseUrl);
    expect(admins.rows[0].n).toBe('1');

    const { code, ms } = await service.stop();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(readdirSync(cwd)).toEqual([]);
  }, 60_000);
});
