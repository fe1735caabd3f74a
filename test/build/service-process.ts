// Helpers for the built-service tests: the service as a child process with its JSON log lines,
// and GraphQL over plain fetch (these tests need no generated code).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
export const ADMIN = { email: 'admin@example.com', password: 'admin' };

export interface LogLine {
  level: string;
  time: string;
  msg: string;
  [field: string]: unknown;
}

const running = new Set<ServiceProcess>();
const tmpDirs: string[] = [];

export function tmpDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `commerce-${label}-`));
  tmpDirs.push(dir);
  return dir;
}

/** One `node dist/src/main.js`, with its stdout split into lines as they arrive. */
export class ServiceProcess {
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcessWithoutNullStreams;
  private partial = '';
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };
  private readonly listeners = new Set<() => void>();

  /** Only these variables of the test's environment reach the service, plus what each test sets. */
  static start(env: Record<string, string>, cwd: string): ServiceProcess {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does).`);
    const base: Record<string, string> = {};
    for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[name] !== undefined) base[name] = process.env[name]!;
    return new ServiceProcess(spawn(process.execPath, [MAIN], { cwd, env: { ...base, ...env } }));
  }

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.child = child;
    running.add(this);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      this.notify();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        running.delete(this);
        this.notify();
        resolve(this.exitInfo);
      });
    });
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** Parsed stdout lines; a line that is not JSON throws, naming it. */
  logs(): LogLine[] {
    return this.lines.map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`stdout line is not JSON: ${line}`);
      }
    });
  }

  /** Resolves with the first log line that matches; rejects if the process exits or time runs out. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs = 45_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const done = (action: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        action();
      };
      const check = () => {
        const found = this.lines.map(parseOrUndefined).find((line) => line && match(line));
        if (found) done(() => resolve(found));
        else if (!this.alive) done(() => reject(new Error(`service exited (${JSON.stringify(this.exitInfo)}) first.\n${this.describe()}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no matching log line within ${timeoutMs} ms.\n${this.describe()}`))), timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  /** Waits for "service ready" and returns the GraphQL URL it logged. */
  async ready(): Promise<string> {
    const line = await this.waitForLog((l) => l.msg === 'service ready');
    expect(line.url).toMatch(/^http:\/\/localhost:\d+\/graphql$/);
    return line.url as string;
  }

  /** SIGTERM, then the exit code and how long the process took to exit (SIGKILL after the timeout). */
  async stop(timeoutMs = 10_000): Promise<{ code: number | null; ms: number }> {
    const started = Date.now();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const { code } = await this.exited;
    clearTimeout(timer);
    return { code, ms: Date.now() - started };
  }

  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  describe(): string {
    return `stdout:\n${this.lines.join('\n')}${this.partial}\nstderr:\n${this.stderr}`;
  }
}

const parseOrUndefined = (line: string): LogLine | undefined => {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return undefined;
  }
};

export async function killAll(): Promise<void> {
  await Promise.all([...running].map((service) => service.kill()));
}

/** Kills what is still running and removes the temporary directories. */
export async function cleanUp(): Promise<void> {
  await killAll();
  for (const dir of tmpDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// --- GraphQL over plain fetch -------------------------------------------------------------------

/**
 * One operation that must succeed, else throws. A service that stops answering (its database gone
 * or hung) fails the request after 30 s instead of holding the caller for ever.
 */
export async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (res.status !== 200 || body.errors?.length || !body.data) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body)}`);
  return body.data;
}

export function expectNoUserErrors(payload: { userErrors: unknown[] }): void {
  expect(payload.userErrors).toEqual([]);
}

export async function staffSignIn(url: string, email: string, password: string): Promise<string> {
  const { staffSignIn: payload } = await gql<{ staffSignIn: { token: string | null; userErrors: unknown[] } }>(
    url,
    `mutation SignIn($email: String!, $password: String!) { staffSignIn(email: $email, password: $password) { token userErrors { code message } } }`,
    { email, password },
  );
  expectNoUserErrors(payload);
  return payload.token!;
}

export interface LocationRow {
  id: string;
  code: string;
  kind: string;
  pickupEnabled: boolean;
}
export const locations = async (url: string) =>
  (await gql<{ locations: LocationRow[] }>(url, `query Locations { locations { id code kind pickupEnabled } }`)).locations;

export interface ProductRow {
  title: string;
  variants: { sku: string }[];
}
export const products = async (url: string) =>
  (
    await gql<{ products: { edges: { node: ProductRow }[] } }>(url, `query Products { products(first: 100) { edges { node { title variants { sku } } } } }`)
  ).products.edges.map((e) => e.node);

export const healthz = (url: string) => fetch(url.replace(/\/graphql$/, '/healthz'));

let sequence = 0;
const uniqueCode = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${sequence++}`.toUpperCase();

/** The admin adds a pickup store and a one-variant product, and puts 7 units of it in the store. */
export async function adminCreatesStoreAndStock(url: string): Promise<{ storeCode: string; storeId: string; title: string; sku: string }> {
  const token = await staffSignIn(url, ADMIN.email, ADMIN.password);
  const storeCode = uniqueCode('SVC');
  const { locationCreate } = await gql<{ locationCreate: { location: LocationRow | null; userErrors: unknown[] } }>(
    url,
    `mutation CreateStore($input: LocationCreateInput!) { locationCreate(input: $input) { location { id code kind pickupEnabled } userErrors { code message } } }`,
    { input: { code: storeCode, name: 'Harbour Store', kind: 'STORE', pickupEnabled: true } },
    token,
  );
  expectNoUserErrors(locationCreate);
  const storeId = locationCreate.location!.id;

  const sku = `${storeCode}-MUG`;
  const title = `Harbour Mug ${storeCode}`;
  const { productCreate } = await gql<{ productCreate: { product: ProductRow | null; userErrors: unknown[] } }>(
    url,
    `mutation CreateProduct($input: ProductCreateInput!) { productCreate(input: $input) { product { title variants { sku } } userErrors { code message } } }`,
    { input: { title, variants: [{ sku, title: 'Harbour Mug', priceAmount: 14_00 }] } },
    token,
  );
  expectNoUserErrors(productCreate);
  expect(productCreate.product!.variants).toEqual([{ sku }]);

  const { inventorySet } = await gql<{ inventorySet: { userErrors: unknown[] } }>(
    url,
    `mutation SetStock($locationId: ID!, $sku: String!, $onHand: Int!) { inventorySet(locationId: $locationId, sku: $sku, onHand: $onHand) { availability { available } userErrors { code message } } }`,
    { locationId: storeId, sku, onHand: 7 },
    token,
  );
  expectNoUserErrors(inventorySet);
  return { storeCode, storeId, title, sku };
}

export async function availabilityOf(url: string, sku: string): Promise<{ available: number; location: { code: string } }[]> {
  const { variantBySku } = await gql<{ variantBySku: { availability: { available: number; location: { code: string } }[] } | null }>(
    url,
    `query Stock($sku: String!) { variantBySku(sku: $sku) { availability { available location { code } } } }`,
    { sku },
  );
  return variantBySku!.availability;
}
