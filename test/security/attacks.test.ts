import { MAX_PAGE_SIZE } from '../../src/core/pagination';
import { aCustomer } from '../support/fixtures';
import { TestApp } from '../support/harness';
import { subscribe } from '../support/live';

/**
 * Hostile requests, each refused with a clear error before any resolver runs: no SQL statement
 * is sent for them (guests cost none for their context), measured by the ORM's statement counter.
 */
let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterAll(() => t.close());

interface Refusal {
  status: number;
  codes: (string | undefined)[];
  messages: string[];
  statements: string[];
}

async function send(body: unknown, headers: Record<string, string> = {}): Promise<Refusal> {
  const { result, statements } = await t.stats.capture(async () => {
    const res = await t.post(body, { headers });
    const text = await res.text();
    return { status: res.status, text };
  });
  const parsed = JSON.parse(result.text) as { errors?: { message: string; extensions?: { code?: string } }[] };
  return {
    status: result.status,
    codes: (parsed.errors ?? []).map((e) => e.extensions?.code),
    messages: (parsed.errors ?? []).map((e) => e.message),
    statements,
  };
}

const nest = (levels: number, leaf: string) => {
  let query = leaf;
  for (let i = 0; i < levels; i++) query = `customer { orders { edges { node { ${query} } } } }`;
  return query;
};

describe('bounded work per request', () => {
  it('serves an ordinary query of the same shapes (the limits are not refusing everything)', async () => {
    const ok = await send({ query: `{ locations { id } products(first: ${MAX_PAGE_SIZE}) { edges { node { id variants { sku } } } } }` });
    expect(ok.status).toBe(200);
    expect(ok.codes).toEqual([]);
    expect(ok.statements.length).toBeGreaterThan(0);
  });

  it('refuses a depth bomb', async () => {
    const res = await send({ query: `{ me { orders { edges { node { ${nest(4, 'id')} } } } } }` });
    expect(res).toMatchObject({ status: 400, codes: ['GRAPHQL_VALIDATION_FAILED'], statements: [] });
    expect(res.messages[0]).toMatch(/depth/i);
  });

  it('refuses depth hidden in fragments that spread each other', async () => {
    const fragments = Array.from({ length: 6 }, (_, i) =>
      i < 5 ? `fragment F${i} on Order { customer { orders { edges { node { ...F${i + 1} } } } } }` : 'fragment F5 on Order { id }',
    ).join('\n');
    const res = await send({ query: `{ order(id: "00000000-0000-4000-8000-000000000000") { ...F0 } }\n${fragments}` });
    expect(res).toMatchObject({ status: 400, codes: ['GRAPHQL_VALIDATION_FAILED'], statements: [] });
    expect(res.messages[0]).toMatch(/depth/i);
  });

  it('refuses an alias bomb', async () => {
    const fields = Array.from({ length: 100 }, (_, i) => `a${i}: locations { id }`).join(' ');
    const res = await send({ query: `{ ${fields} }` });
    expect(res).toMatchObject({ status: 400, codes: ['GRAPHQL_VALIDATION_FAILED'], statements: [] });
    expect(res.messages[0]).toMatch(/aliases/i);
  });

  it('refuses a pile of directives', async () => {
    const res = await send({ query: `{ ${Array.from({ length: 30 }, () => '__typename @include(if: true)').join(' ')} }` });
    expect(res).toMatchObject({ status: 400, codes: ['GRAPHQL_VALIDATION_FAILED'], statements: [] });
    expect(res.messages[0]).toMatch(/directives/i);
  });

  it('refuses a document of too many tokens', async () => {
    const res = await send({ query: `{ ${'__typename '.repeat(3000)}}` });
    expect(res).toMatchObject({ status: 400, codes: ['GRAPHQL_PARSE_FAILED'], statements: [] });
    expect(res.messages[0]).toMatch(/more th\w+ 1000 tokens/i);
  });

  it('refuses a 1 MB document by its size, as JSON', async () => {
    const res = await send({ query: `{ locations { id } } # ${'x'.repeat(1024 * 1024)}` });
    expect(res).toMatchObject({ status: 413, codes: ['PAYLOAD_TOO_LARGE'], statements: [] });
  });

  it('refuses a query whose cost multiplies through nested lists', async () => {
    const res = await send({ query: '{ products(first: 100) { edges { node { variants { availability { available location { id code name } } } } } } }' });
    expect(res).toMatchObject({ status: 400, codes: ['QUERY_TOO_COMPLEX'], statements: [] });
    expect(res.messages[0]).toMatch(/costs \d+, more than the 10000 allowed/);
  });

  it('refuses fragments that spread each other many times over (a small document, a huge query)', async () => {
    const fragments = Array.from({ length: 6 }, (_, i) =>
      i === 0 ? 'fragment F0 on Query { locations { id } }' : `fragment F${i} on Query { ${`...F${i - 1} `.repeat(10)}}`,
    ).join('\n');
    const res = await send({ query: `{ ...F5 }\n${fragments}` });
    expect(res).toMatchObject({ status: 400, codes: ['QUERY_TOO_COMPLEX'], statements: [] });
  });

  it.each([
    ['a literal', { query: '{ products(first: 1000000000) { edges { cursor } } }' }],
    ['a variable', { query: 'query($n: Int) { products(first: $n) { edges { cursor } } }', variables: { n: 1_000_000_000 } }],
    ['zero', { query: '{ products(first: 0) { edges { cursor } } }' }],
  ])('refuses first: out of 1–100 given as %s', async (_how, body) => {
    const res = await send(body);
    expect(res).toMatchObject({ status: 400, codes: ['BAD_USER_INPUT'], statements: [] });
    expect(res.messages[0]).toMatch(/first must be between 1 and 100/);
  });

  it('refuses first: 1000000000 deep inside a query before any resolver runs', async () => {
    const res = await send({ query: '{ me { id orders(first: 1000000000) { edges { cursor } } } }' });
    expect(res).toMatchObject({ status: 400, codes: ['BAD_USER_INPUT'], statements: [] });
  });

  it('refuses a batched (array) request', async () => {
    const res = await send([{ query: '{ locations { id } }' }, { query: '{ locations { id } }' }]);
    expect(res).toMatchObject({ status: 400, codes: ['BAD_REQUEST'], statements: [] });
    expect(res.messages[0]).toMatch(/batched/i);
  });

  it('refuses a CSRF-style text/plain POST', async () => {
    const { result, statements } = await t.stats.capture(() =>
      fetch(t.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: 'mutation { signOut }' }) }),
    );
    expect(result.status).toBe(400);
    expect(await result.text()).toMatch(/Cross-Site Request Forgery/);
    expect(statements).toEqual([]);
  });

  it('answers malformed JSON with a JSON error, not an HTML page with a stack', async () => {
    const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('applies the same depth limit to subscriptions over WebSocket', async () => {
    const live = subscribe(t, `subscription { orderUpdated(orderId: "00000000-0000-4000-8000-000000000000") { ${nest(3, 'id')} } }`);
    try {
      const { errors } = await live.first();
      expect(errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/depth/i) })]);
    } finally {
      await live.close();
    }
  });

  it('applies the same cost limit to subscriptions over WebSocket, with their variables, before their context is made', async () => {
    // Signed in, so making the operation's context would cost a statement (the session): none beyond the connection's own check means refused before it.
    const customer = await aCustomer(t);
    // 100 orders cost about 10,700; without the variable (20 orders) it would be about 2,100, within the limit.
    const query = `subscription($n: Int) { orderUpdated(orderId: "00000000-0000-4000-8000-000000000000") {
      customer { orders(first: $n) { edges { node { id number status lines { id sku title quantity returnedQuantity channel } events { at channel kind message } } } } } } }`;
    const { result: errors, statements } = await t.stats.capture(async () => {
      const live = subscribe(t, query, { n: 100 }, { token: customer.token });
      try {
        return (await live.first()).errors;
      } finally {
        await live.close();
      }
    });
    expect(errors.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(errors[0].message).toMatch(/costs \d+, more than the 10000 allowed/);
    // The token is checked once, when the connection opens; the refused operation sends nothing more.
    expect(statements.filter((s) => !/\bfrom session s\b/.test(s))).toEqual([]);
    expect(statements.length).toBeLessThanOrEqual(1);
  });
});
