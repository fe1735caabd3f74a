import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { WebSocket } from 'ws';
import { createLogger } from '../../src/core/logger';
import { aCustomer, PASSWORD } from '../support/fixtures';
import { CustomerSignInDocument, LocationsDocument } from '../support/generated/graphql';
import { TestApp, unique } from '../support/harness';
import { disposeWires, eventually, LogLines, wire } from './wire';

/**
 * GraphQL over WebSocket gets every protection of HTTP, through the same pipeline: error masking,
 * no schema hints in production, the request limits, a log line, metrics, the sign-in throttles
 * by client address; plus limits of its own (connections per address, operations per connection)
 * and authentication on connect.
 */
afterEach(() => disposeWires());

let refusedAddresses = 1;
const ORDER_UPDATED = 'subscription($id: ID!) { orderUpdated(orderId: $id) { id } }';

describe('in production', () => {
  let t: TestApp;
  const log = new LogLines();
  beforeAll(async () => {
    t = await TestApp.start(
      { NODE_ENV: 'production', ADMIN_PASSWORD: 'not-the-default', TRUST_PROXY_HOPS: '1', SIGNIN_MAX_ATTEMPTS_PER_ADDRESS: '4' },
      { logger: createLogger('info', log.write) },
    );
  });
  afterAll(() => t.close());

  it('gives no "did you mean" hints, for queries and subscriptions', async () => {
    const connection = wire(t);
    for (const query of [
      '{ prodcts { edges { cursor } } }',
      '{ products(frist: 2) { edges { cursor } } }',
      'subscription { orderUpdatd(orderId: "x") { id } }',
      'subscription { orderUpdated(ordrId: "x") { id } }',
    ]) {
      const res = await connection.run(query);
      expect(res.errors?.length).toBeGreaterThan(0);
      for (const error of res.errors!) {
        expect(error.message).not.toMatch(/did you mean/i);
        expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      }
    }
  });

  it('refuses introspection', async () => {
    const res = await wire(t).run('{ __schema { queryType { name } } }');
    expect(res.errors?.[0].message).toMatch(/introspection/i);
  });

  it('writes one request log line with the request id and operation name for each operation, and counts it in the metrics', async () => {
    const connection = wire(t);
    const name = `WsProbe${randomUUID().replace(/-/g, '').slice(0, 8)}`;
    await connection.run(`query ${name} { locations { id } }`);
    await connection.run(`mutation ${name}Mutation { customerSignIn(email: "${unique('nobody')}@example.test", password: "wrong-password") { token } }`);
    const live = connection.listen(`subscription ${name}Live($id: ID!) { orderUpdated(orderId: $id) { id } }`, { id: randomUUID() });
    await eventually(() => log.find((e) => e.operation === `${name}Live`).length > 0, 'the subscription log line');
    live.stop();
    for (const [operation, type] of [
      [name, 'query'],
      [`${name}Mutation`, 'mutation'],
      [`${name}Live`, 'subscription'],
    ]) {
      const lines = log.find((e) => e.msg === 'request' && e.operation === operation);
      expect(lines).toEqual([
        expect.objectContaining({ transport: 'websocket', type, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/), ms: expect.any(Number) }),
      ]);
    }
    const metrics = await (await fetch(t.url.replace(/\/graphql$/, '/metrics'))).text();
    expect(metrics).toMatch(new RegExp(`commerce_graphql_requests_total\\{operation="${name}",type="query"\\} 1`));
    expect(metrics).toMatch(new RegExp(`commerce_graphql_requests_total\\{operation="${name}Mutation",type="mutation"\\} 1`));
    expect(metrics).toMatch(new RegExp(`commerce_graphql_requests_total\\{operation="${name}Live",type="subscription"\\} 1`));
  });

  it('counts sign-ins over WebSocket against the client address, shared with HTTP', async () => {
    const address = `203.0.113.${(process.pid % 200) + 1}`;
    const connection = wire(t, { headers: { 'x-forwarded-for': address } });
    const signIn = (email: string, password: string) => `mutation { customerSignIn(email: "${email}", password: "${password}") { token userErrors { code } } }`;
    for (let i = 0; i < 4; i++) {
      const res = await connection.run(signIn(`${unique('nobody')}@example.test`, 'wrong-password'));
      expect(res.data).toEqual({ customerSignIn: { token: null, userErrors: [{ code: 'INVALID_CREDENTIALS' }] } });
    }
    const customer = await aCustomer(t);
    const overWs = await connection.run(signIn(customer.account.email, PASSWORD));
    expect(overWs.data).toEqual({ customerSignIn: { token: null, userErrors: [{ code: 'TOO_MANY_ATTEMPTS' }] } });
    // The same address over HTTP is refused too; another address is not.
    const overHttp = await t.data(CustomerSignInDocument, { email: customer.account.email, password: PASSWORD }, { headers: { 'x-forwarded-for': address } });
    expect(overHttp.customerSignIn.userErrors.map((e) => e.code)).toEqual(['TOO_MANY_ATTEMPTS']);
    const elsewhere = await wire(t, { headers: { 'x-forwarded-for': '203.0.113.250' } }).run(signIn(customer.account.email, PASSWORD));
    expect(elsewhere.data).toEqual({ customerSignIn: { token: expect.any(String), userErrors: [] } });
  });

  it.each([
    ['malformed', 'Bearer not-a-token'],
    ['not a bearer token', 'Basic dXNlcjpwYXNz'],
    ['unknown', `Bearer cst_${'a'.repeat(43)}`],
  ])('closes a connection whose token is %s with 4403, logged as one JSON line without a stack', async (_what, authorization) => {
    const before = log.raw.length;
    // Each from an address of its own: refusals are logged once a minute per address and reason.
    const connection = wire(t, { authorization, headers: { 'x-forwarded-for': `198.18.${process.pid % 250}.${refusedAddresses++}` } });
    const closed = await connection.closed();
    expect(closed.code).toBe(4403);
    const lines = log.raw.slice(before);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const refusals = log.parsed.slice(before).filter((e) => e.msg === 'websocket refused');
    expect(refusals).toEqual([expect.objectContaining({ level: 'warn', reason: 'authentication', closeCode: 4403 })]);
    expect(lines.join('\n')).not.toMatch(/\n\s+at |stack/);
  });
});

describe('errors', () => {
  it('masks unexpected errors over WebSocket as over HTTP: no SQL, no driver text, a request id', async () => {
    const log = new LogLines();
    const t2 = await TestApp.start({}, { logger: createLogger('error', log.write) });
    try {
      const connection = wire(t2);
      expect((await connection.run('{ __typename }')).data).toEqual({ __typename: 'Query' });
      await t2.app.orm.close();
      for (const [query, variables] of [
        [print(LocationsDocument), undefined],
        [ORDER_UPDATED, { id: randomUUID() }],
      ] as const) {
        const res = await connection.run(query, variables);
        expect(res.errors).toEqual([
          expect.objectContaining({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) } }),
        ]);
        for (const leak of [/select/i, /sql/i, /knex/i, /pool/i, /\bfrom\b/i, /"location"/]) expect(JSON.stringify(res)).not.toMatch(leak);
        const requestId = res.errors![0].extensions!.requestId;
        expect(log.find((e) => e.msg === 'unexpected error' && e.requestId === requestId)).toHaveLength(1);
      }
    } finally {
      await t2.close();
    }
  });

  it('applies the request limits to queries over WebSocket (depth, aliases, tokens, cost)', async () => {
    const t2 = await TestApp.start();
    try {
      const connection = wire(t2);
      const aliases = await connection.run(`{ ${Array.from({ length: 100 }, (_, i) => `a${i}: locations { id }`).join(' ')} }`);
      expect(aliases.errors?.[0].message).toMatch(/aliases/i);
      const tokens = await connection.run(`{ ${'__typename '.repeat(3000)}}`);
      expect(tokens.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
      const cost = await connection.run('{ products(first: 100) { edges { node { variants { availability { available location { id code name } } } } } } }');
      expect(cost.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    } finally {
      await t2.close();
    }
  });
});

describe('connection limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ TRUST_PROXY_HOPS: '1', WS_MAX_CONNECTIONS_PER_ADDRESS: '3', WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '2' });
  });
  afterAll(() => t.close());

  const open = (address: string) =>
    new Promise<{ socket?: WebSocket; status?: number }>((resolve) => {
      const socket = new WebSocket(t.url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers: { 'x-forwarded-for': address } });
      socket.once('open', () => resolve({ socket }));
      socket.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
      socket.once('error', () => resolve({}));
    });

  it('refuses more connections from one address than WS_MAX_CONNECTIONS_PER_ADDRESS (429), and takes them again once one closes', async () => {
    const sockets = await Promise.all([1, 2, 3].map(() => open('192.0.2.10')));
    expect(sockets.every((s) => s.socket)).toBe(true);
    expect(await open('192.0.2.10')).toEqual({ status: 429 });
    const other = await open('192.0.2.11');
    expect(other.socket).toBeDefined();
    other.socket!.close();
    sockets[0].socket!.close();
    await eventually(async () => {
      const again = await open('192.0.2.10');
      again.socket?.close();
      return again.socket !== undefined;
    }, 'a connection accepted after one closed');
    for (const s of sockets) s.socket?.close();
  });

  it('refuses more operations at once on one connection than WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', async () => {
    const connection = wire(t, { headers: { 'x-forwarded-for': '192.0.2.20' } });
    const first = connection.listen(ORDER_UPDATED, { id: randomUUID() });
    const second = connection.listen(ORDER_UPDATED, { id: randomUUID() });
    const third = connection.listen(ORDER_UPDATED, { id: randomUUID() });
    await eventually(() => third.errors.length > 0, 'the third subscription refused');
    expect(third.errors.map((e) => e.extensions?.code)).toEqual(['TOO_MANY_OPERATIONS']);
    expect(first.errors).toEqual([]);
    expect(second.errors).toEqual([]);
    first.stop();
    await eventually(async () => {
      const fourth = connection.listen(ORDER_UPDATED, { id: randomUUID() });
      await new Promise((r) => setTimeout(r, 100));
      fourth.stop();
      return fourth.errors.length === 0;
    }, 'a subscription accepted after one completed');
  });
});
