// No published credentials in production: the built service as a process on a PostgreSQL
// server. Demo data only when asked for, never with the password the README prints, and no
// start while any staff account still has a published password.
import { Client } from 'pg';
import { DEMO_STAFF_PASSWORD, demoStaffEmail } from '../../src/seed/demo-data';
import { cleanUp, gql, killAll, locations, ServiceProcess, staffSignIn, tmpDir } from './service-process';

const PG_SERVER_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const PRODUCTION = {
  NODE_ENV: 'production',
  PORT: '0',
  LOG_LEVEL: 'info',
  ADMIN_EMAIL: 'owner@shop.test',
  ADMIN_PASSWORD: 'a-long-production-secret',
  JOBS_ENABLED: 'false',
};

async function onServer<T>(work: (client: Client) => Promise<T>, url = PG_SERVER_URL): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const databases: string[] = [];
async function freshDatabase(): Promise<string> {
  const name = `commerce_prod_${Date.now()}_${process.pid}_${databases.length}`;
  await onServer((c) => c.query(`create database "${name}"`));
  databases.push(name);
  const url = new URL(PG_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

afterEach(killAll);
afterAll(async () => {
  await cleanUp();
  for (const name of databases) await onServer((c) => c.query(`drop database if exists "${name}" with (force)`));
});

const demoAssociate = demoStaffEmail('DOWNTOWN', 'associate');

const signInError = async (url: string, email: string, password: string): Promise<string | undefined> => {
  const { staffSignIn: payload } = await gql<{ staffSignIn: { userErrors: { code: string }[] } }>(
    url,
    `mutation SignIn($email: String!, $password: String!) { staffSignIn(email: $email, password: $password) { userErrors { code } } }`,
    { email, password },
  );
  return payload.userErrors[0]?.code;
};

describe('NODE_ENV=production', () => {
  it('seeds no demo data unless asked for: no demo store, no demo staff', async () => {
    const service = ServiceProcess.start({ ...PRODUCTION, DATABASE_URL: await freshDatabase() }, tmpDir('prod'));
    const url = await service.ready();
    expect(await locations(url)).toEqual([]);
    expect(await signInError(url, demoAssociate, DEMO_STAFF_PASSWORD)).toBe('INVALID_CREDENTIALS');
    await staffSignIn(url, PRODUCTION.ADMIN_EMAIL, PRODUCTION.ADMIN_PASSWORD);
    expect((await service.stop()).code).toBe(0);
  }, 60_000);

  it('refuses to start on a database whose staff still have the published demo password', async () => {
    const databaseUrl = await freshDatabase();
    // The database a development run seeded, promoted to production.
    const development = ServiceProcess.start({ PORT: '0', LOG_LEVEL: 'info', JOBS_ENABLED: 'false', DATABASE_URL: databaseUrl }, tmpDir('dev'));
    await staffSignIn(await development.ready(), demoAssociate, DEMO_STAFF_PASSWORD);
    await development.stop();

    const production = ServiceProcess.start({ ...PRODUCTION, DATABASE_URL: databaseUrl }, tmpDir('prod'));
    const { code } = await production.exited;
    expect(code).toBe(78);
    expect(production.lines.join('\n')).not.toContain('service ready');
    expect(production.stderr).toContain('published demo password');
    expect(production.stderr).toContain(demoAssociate);
    // The development admin's default password ("admin") is published too.
    expect(production.stderr).toContain('admin@example.com');
  }, 90_000);

  it('seeds demo data when asked for only with a password of its own, which the demo staff then have', async () => {
    const refused = ServiceProcess.start({ ...PRODUCTION, SEED_DEMO_DATA: 'true', DATABASE_URL: await freshDatabase() }, tmpDir('prod'));
    expect((await refused.exited).code).toBe(78);
    expect(refused.stderr).toContain('DEMO_STAFF_PASSWORD');

    const service = ServiceProcess.start(
      { ...PRODUCTION, SEED_DEMO_DATA: 'true', DEMO_STAFF_PASSWORD: 'a-private-demo-secret', DATABASE_URL: await freshDatabase() },
      tmpDir('prod'),
    );
    const url = await service.ready();
    expect(await locations(url)).toHaveLength(4);
    expect(await signInError(url, demoAssociate, DEMO_STAFF_PASSWORD)).toBe('INVALID_CREDENTIALS');
    await staffSignIn(url, demoAssociate, 'a-private-demo-secret');
  }, 90_000);

  it('refuses a weak ADMIN_PASSWORD', async () => {
    const service = ServiceProcess.start({ ...PRODUCTION, ADMIN_PASSWORD: 'password123', DATA_DIR: 'memory://' }, tmpDir('prod'));
    expect((await service.exited).code).toBe(78);
    expect(service.stderr).toContain('ADMIN_PASSWORD');
  });
});
