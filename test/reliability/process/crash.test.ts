// Crash safety: a checkout load against the built service (`node dist/src/main.js`) while
// something crashes at random moments — the service killed with SIGKILL (by the PID this test
// started), on a PostgreSQL server and on the embedded database, or the PostgreSQL server itself
// stopped in immediate mode (a throwaway cluster of this test's own). After every crash every
// order the clients were told about must exist with its totals, unanswered checkouts retried with
// their keys must make exactly one order, and the invariants must hold.
import { join } from 'node:path';
import { SERVER_URL, createRunDatabase, dropRunDatabase, serverOrSkip } from '../../setup/databases';
import { checkInvariants } from '../../build/invariants-tool';
import { ServiceProcess, cleanUp, healthz, tmpDir } from '../../build/service-process';
import { TEST_LIMITS } from '../../support/limits';
import { recordFigures } from '../results';
import { ThrowawayCluster, clusterUnavailable } from './cluster';
import { SEED, crashCycles, serverInvariants, sleep, type CycleTotals } from './crash-cycles';
import { buildWorld } from './load';

const CYCLES = 6;
const WORKERS = 6;

afterAll(cleanUp);

const serviceEnv = (env: Record<string, string>) => ({ PORT: '0', LOG_LEVEL: 'info', ...TEST_LIMITS, ...env });

async function startService(env: Record<string, string>): Promise<{ service: ServiceProcess; url: string }> {
  const service = ServiceProcess.start(serviceEnv(env), tmpDir('cwd'));
  const url = await service.ready();
  return { service, url };
}

function figures(totals: CycleTotals, crash: string): Record<string, string | number> {
  return {
    crash,
    'crash cycles': totals.cycles,
    'orders acknowledged': totals.acknowledged,
    'checkouts unanswered at a crash, retried with their key': totals.inFlightAtCrash,
    'acknowledged orders lost or changed': totals.lost,
    'duplicate orders': totals.duplicates,
    'retries answered differently': totals.retryProblems,
    'invariant violations': totals.violations,
    seed: SEED,
  };
}

function expectClean(totals: CycleTotals): void {
  expect(totals.problems).toEqual([]);
  expect(totals.acknowledged).toBeGreaterThan(totals.cycles);
  expect([totals.lost, totals.duplicates, totals.violations]).toEqual([0, 0, 0]);
}

/** kill -9 of the service, then a new service on the same database. */
async function killLoop(env: Record<string, string>, invariants?: () => Promise<string[]>): Promise<CycleTotals> {
  let { service, url } = await startService(env);
  const world = await buildWorld(url, WORKERS);
  const totals = await crashCycles({
    cycles: CYCLES,
    workers: WORKERS,
    world,
    adminToken: world.adminToken,
    url,
    crash: async () => {
      await service.kill();
      ({ service, url } = await startService(env));
      return url;
    },
    invariants,
  });
  expect((await service.stop()).code).toBe(0);
  return totals;
}

it('kill -9 on a PostgreSQL server: nothing acknowledged is lost, nothing doubled', async () => {
  if (!(await serverOrSkip('the kill -9 test on a server'))) return;
  const url = await createRunDatabase(SERVER_URL);
  try {
    const totals = await killLoop({ DATABASE_URL: url }, () => serverInvariants(url));
    recordFigures('Crash safety', 'PostgreSQL 15 server', figures(totals, 'service kill -9'));
    expectClean(totals);
  } finally {
    await dropRunDatabase(SERVER_URL, url);
  }
});

it('kill -9 on the embedded database: what ./data keeps', async () => {
  const dataDir = join(tmpDir('data'), 'data');
  const totals = await killLoop({ DATA_DIR: dataDir });
  // The data directory cannot be opened while a service holds it: the invariants are checked
  // once the last service has stopped, by the same tool as `npm run check:invariants`.
  const check = await checkInvariants({ DATA_DIR: dataDir });
  if (check.code !== 0) totals.problems.push(check.stdout);
  totals.violations = check.code === 0 ? 0 : Math.max(1, (check.stdout.match(/^ {2}- /gm) ?? []).length);
  recordFigures('Crash safety', 'embedded PGlite', figures(totals, 'service kill -9'));
  expectClean(totals);
});

describe('PostgreSQL stopped in immediate mode and started again, under a checkout load', () => {
  const unavailable = clusterUnavailable();
  let cluster: ThrowawayCluster | undefined;
  beforeAll(async () => {
    if (unavailable) {
      if (process.env.CI) throw new Error(`A throwaway PostgreSQL cluster is needed: ${unavailable}`);
      return console.warn(`[reliability] ${unavailable}: the immediate-stop tests are skipped.`);
    }
    cluster = await ThrowawayCluster.create();
    cluster.start();
  });
  afterAll(() => cluster?.remove());

  it('keeps every acknowledged order; the service serves again once the server is back', async () => {
    if (!cluster) return;
    const c = cluster;
    const { service, url } = await startService({ DATABASE_URL: c.url });
    const world = await buildWorld(url, WORKERS);
    let downtimes = 0;
    const totals = await crashCycles({
      cycles: 4,
      workers: WORKERS,
      world,
      adminToken: world.adminToken,
      url,
      crash: async () => {
        c.stopImmediately();
        expect((await healthz(url)).status).toBe(503);
        await sleep(500);
        c.start();
        for (let i = 0; i < 100 && (await healthz(url)).status !== 200; i++) await sleep(100);
        downtimes++;
        return url;
      },
      invariants: () => serverInvariants(c.url),
    });
    expect(service.alive).toBe(true);
    expect(downtimes).toBe(4);
    recordFigures('Crash safety', 'PostgreSQL 15, throwaway cluster', figures(totals, 'pg_ctl stop -m immediate'));
    expectClean(totals);
    expect((await service.stop()).code).toBe(0);
  });

  it('with fsync off, NODE_ENV=production refuses to start (exit code 78)', async () => {
    if (!cluster) return;
    cluster.stopImmediately();
    cluster.start({ fsync: 'off' });
    const refused = ServiceProcess.start(
      serviceEnv({ NODE_ENV: 'production', ADMIN_PASSWORD: 'a-long-production-secret', DATABASE_URL: cluster.url }),
      tmpDir('cwd'),
    );
    expect((await refused.exited).code).toBe(78);
    expect(refused.stderr).toMatch(/DATABASE_URL .*fsync off/);
  });
});
