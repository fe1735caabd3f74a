// `npm run check:invariants` (dist/src/tools/check-invariants.js) against the embedded data
// directory a stopped service left, and against a server database: all hold after the demo
// data, and a stock level changed behind the ledger's back is reported with exit code 1.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { SERVER_URL, createRunDatabase, dropRunDatabase, serverOrSkip } from '../setup/databases';
import { checkInvariants } from './invariants-tool';
import { ServiceProcess, cleanUp, tmpDir } from './service-process';

afterAll(cleanUp);

const TAMPER = `update stock_level set on_hand = on_hand + 1 where id = (select id from stock_level order by id limit 1)`;

async function seededBy(env: Record<string, string>): Promise<void> {
  const service = ServiceProcess.start({ PORT: '0', LOG_LEVEL: 'info', ...env }, tmpDir('cwd'));
  await service.ready();
  expect((await service.stop()).code).toBe(0);
}

it('checks the embedded database in DATA_DIR', async () => {
  const dataDir = join(tmpDir('data'), 'data');
  await seededBy({ DATA_DIR: dataDir });

  expect(await checkInvariants({ DATA_DIR: dataDir })).toEqual({ code: 0, stdout: `embedded ${dataDir}: all 10 invariants hold\n` });

  // PGlite cannot start inside jest's VM: a child process changes the data directory.
  const tamper = `const { PGlite } = require('@electric-sql/pglite'); PGlite.create(process.argv[1]).then(async (db) => { await db.query(${JSON.stringify(TAMPER)}); await db.close(); })`;
  await new Promise((resolve) => spawn(process.execPath, ['-e', tamper, dataDir], { cwd: join(__dirname, '..', '..'), stdio: 'inherit' }).on('exit', resolve));
  const broken = await checkInvariants({ DATA_DIR: dataDir });
  expect(broken.code).toBe(1);
  expect(broken.stdout).toMatch(/2 of 10 invariants violated\n {2}- stock level not explained by its movements: 1 .*\n {2}- units not accounted for/);
});

it('checks the server database in DATABASE_URL', async () => {
  if (!(await serverOrSkip('the invariants tool against a server'))) return;
  const url = await createRunDatabase(SERVER_URL);
  try {
    await seededBy({ DATABASE_URL: url });
    expect((await checkInvariants({ DATABASE_URL: url })).code).toBe(0);
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query(TAMPER);
    await client.end();
    const broken = await checkInvariants({ DATABASE_URL: url });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('stock level not explained by its movements: 1 ');
  } finally {
    await dropRunDatabase(SERVER_URL, url);
  }
});
