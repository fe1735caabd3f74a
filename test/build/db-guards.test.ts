// NODE_ENV=production refuses a PostgreSQL database that does not make commits durable. The
// server is shared, so only this test's own database gets `synchronous_commit = off`; a server
// with `fsync = off` is tested on a throwaway cluster in test/reliability.
import { Client } from 'pg';
import { SERVER_URL, createRunDatabase, dropRunDatabase, serverOrSkip } from '../setup/databases';
import { ServiceProcess, cleanUp, tmpDir } from './service-process';

afterAll(cleanUp);

const production = (databaseUrl: string) => ({
  NODE_ENV: 'production',
  ADMIN_PASSWORD: 'a-long-production-secret',
  DATABASE_URL: databaseUrl,
  PORT: '0',
  LOG_LEVEL: 'info',
  SEED_DEMO_DATA: 'false',
});

async function onDatabase(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql.replace('$db', `"${new URL(url).pathname.slice(1)}"`));
  } finally {
    await client.end();
  }
}

describe('production start-up against a database that does not flush commits', () => {
  let url: string | undefined;
  beforeAll(async () => {
    if (!(await serverOrSkip('the durability guard test'))) return;
    url = await createRunDatabase(SERVER_URL);
  });
  afterAll(async () => {
    if (url) await dropRunDatabase(SERVER_URL, url);
  });

  it('exits with 78 naming DATABASE_URL and synchronous_commit, then starts once it is on again', async () => {
    if (!url) return;
    await onDatabase(url, 'alter database $db set synchronous_commit = off');
    const refused = ServiceProcess.start(production(url), tmpDir('cwd'));
    const { code } = await refused.exited;
    expect(code).toBe(78);
    expect(refused.stderr).toMatch(/DATABASE_URL .*synchronous_commit off/);
    expect(refused.stderr).not.toMatch(/ at /); // a message, not a stack

    await onDatabase(url, 'alter database $db reset synchronous_commit');
    const started = ServiceProcess.start(production(url), tmpDir('cwd'));
    await started.ready();
    const stopped = await started.stop();
    expect({ code: stopped.code, log: stopped.code === 0 ? '' : started.describe() }).toEqual({ code: 0, log: '' });
  });

  it('starts on the embedded database in production, warning that it does not fsync', async () => {
    const service = ServiceProcess.start(
      { NODE_ENV: 'production', ADMIN_PASSWORD: 'a-long-production-secret', DATA_DIR: 'memory://', PORT: '0', LOG_LEVEL: 'info', SEED_DEMO_DATA: 'false' },
      tmpDir('cwd'),
    );
    await service.ready();
    expect(
      service
        .logs()
        .filter((l) => l.level === 'warn')
        .map((l) => l.msg),
    ).toContainEqual(expect.stringMatching(/^embedded database in production: .*no fsync/));
    await service.stop();
  });

  it('exits with 78 naming the variable for a bad timeout', async () => {
    const refused = ServiceProcess.start({ DB_STATEMENT_TIMEOUT_MS: 'soon', DATA_DIR: 'memory://', PORT: '0' }, tmpDir('cwd'));
    expect((await refused.exited).code).toBe(78);
    expect(refused.stderr).toContain('DB_STATEMENT_TIMEOUT_MS');
  });
});
