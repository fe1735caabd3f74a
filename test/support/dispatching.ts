// Test files whose app runs the outbox dispatcher take turns. Every test file of a project shares
// one database, and a dispatcher claims whatever is due in it: two files dispatching at once would
// make each other's calls with their own settings (another SMTP server, another payment
// provider). The turn is a directory created atomically beside the database's name; a holder
// that died (its pid gone) loses it.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApp } from './harness';

const lockDir = () =>
  join(
    tmpdir(),
    `outbox-dispatch-${createHash('sha1')
      .update(process.env.TEST_DATABASE_URL ?? '')
      .digest('hex')
      .slice(0, 12)}.lock`,
  );

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function takeTurn(timeoutMs = 120_000): Promise<() => void> {
  const dir = lockDir();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch {
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(dir, 'pid'), 'utf8'));
      } catch {
        // Being created or removed right now.
      }
      if (Number.isInteger(holder) && holder !== process.pid && !alive(holder)) rmSync(dir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${dir}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

let turn: Promise<() => void> | undefined;
let holders = 0;

/** A TestApp whose dispatcher runs, once this file's turn has come (held until every one of its apps is closed). */
export async function dispatchingApp(env: Record<string, string>): Promise<TestApp> {
  if (holders++ === 0) turn = takeTurn();
  await turn;
  const app = await TestApp.start({ OUTBOX_DISPATCHER_ENABLED: 'true', ...env });
  const close = app.close.bind(app);
  app.close = async () => {
    await close();
    if (--holders === 0) (await turn)?.();
  };
  return app;
}
