import { getNamedType, isObjectType, type GraphQLFormattedError, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { buildSchema } from '../../src/schema';
import { TestApp } from '../support/harness';
import { subscribe } from '../support/live';
import { NESTED, ownersCart, type NestedCase, type NestedEntry } from './authorization.nested';
import { type Outcome } from './authorization.rules';
import { aWorld, CALLERS, type CallerName, type Side, type World } from './world';

/**
 * The authorization matrix on nested paths (authorization.nested.ts): every root field that can
 * reach an Order, a Customer, a Cart or a Payment, run by the seven callers over HTTP and over
 * WebSocket (subscriptions over WebSocket only), on both sides of the world (ids swapped).
 */
let t: TestApp;
let w: World;
beforeAll(async () => {
  // Deep documents on purpose: the request limits are tested elsewhere.
  t = await TestApp.start({ GRAPHQL_MAX_DEPTH: '20', GRAPHQL_MAX_COST: '10000000', GRAPHQL_MAX_TOKENS: '100000' });
  w = await aWorld(t);
  // The world's orders stay first in their owners' histories (newest first), however many the
  // matrix adds: every path through `orders(first: 50)` meets them.
  const ids = Object.values(w.sides).flatMap((s) => [s.order.id, s.elsewhere.id, s.shipped.id]);
  await t.app.orm.em
    .fork()
    .getConnection()
    .execute(`update orders set created_at = now() + interval '1 day' where id in (${ids.map(() => '?').join(', ')})`, ids);
});
afterAll(() => t.close());

type RootType = keyof typeof NESTED;
const ROOT_TYPES: RootType[] = ['Query', 'Mutation', 'Subscription'];
const GUARDED = new Set(['Order', 'Customer', 'Cart', 'Payment']);

/** The root fields whose result can lead, through any path, to one of the guarded types. */
function fieldsReachingGuarded(schema: GraphQLSchema, root: GraphQLObjectType): string[] {
  const reaches = new Map<string, boolean>();
  const visit = (type: GraphQLObjectType): boolean => {
    if (GUARDED.has(type.name)) return true;
    if (reaches.has(type.name)) return reaches.get(type.name)!;
    reaches.set(type.name, false);
    const found = Object.values(type.getFields()).some((f) => {
      const named = getNamedType(f.type);
      return isObjectType(named) && visit(named);
    });
    reaches.set(type.name, found);
    return found;
  };
  return Object.values(root.getFields())
    .filter((f) => {
      const named = getNamedType(f.type);
      return isObjectType(named) && visit(named);
    })
    .map((f) => f.name)
    .sort();
}

const MIRROR: Record<CallerName, CallerName> = {
  guest: 'guest',
  customerA: 'customerB',
  customerB: 'customerA',
  associateA: 'associateB',
  associateB: 'associateA',
  managerA: 'associateB',
  admin: 'admin',
};

/** The shipped order's street is for its owner and ADMIN (in side A's terms; side B mirrors). */
const READS_ADDRESS: CallerName[] = ['customerA', 'admin'];
const WITH_ADDRESS = 'ok, with address';

function outcomeOf(errors: readonly GraphQLFormattedError[] | undefined, value: unknown, reaches: string[]): Outcome | string {
  if (errors?.length) {
    const codes = [...new Set(errors.map((e) => e.extensions?.code))];
    return codes.length === 1 && (codes[0] === 'UNAUTHENTICATED' || codes[0] === 'FORBIDDEN') ? (codes[0] as Outcome) : `unexpected ${JSON.stringify(errors)}`;
  }
  if (value === null || value === undefined) return 'none';
  const userErrors = (value as { userErrors?: { code: string }[] }).userErrors ?? [];
  if (userErrors.length) return `userErrors ${JSON.stringify(userErrors)}`;
  const text = JSON.stringify(value);
  const missing = reaches.filter((id) => !text.includes(id));
  if (missing.length) return `ok without ${missing.join(', ')}`;
  return Object.values(w.sides).some((s) => text.includes(s.shipped.street)) ? WITH_ADDRESS : 'ok';
}

async function overHttp(field: string, entry: NestedEntry, c: NestedCase, token: string | undefined): Promise<Outcome | string> {
  const res = await t.post({ query: entry.document, variables: entry.variables ? await entry.variables(c) : {} }, { token });
  const body = (await res.json()) as { data?: Record<string, unknown> | null; errors?: GraphQLFormattedError[] };
  return outcomeOf(body.errors, body.data?.[field], entry.reaches?.(c.side) ?? []);
}

/** A query or mutation answers once; a subscription is made to fire until something arrives. */
async function overWebSocket(field: string, entry: NestedEntry, c: NestedCase, token: string | undefined): Promise<Outcome | string> {
  const live = subscribe(t, entry.document, entry.variables ? await entry.variables(c) : {}, { token });
  const trigger = entry.trigger ? setInterval(() => entry.trigger!(t, c.side), 100) : undefined;
  try {
    const { event, errors } = await live.first();
    return outcomeOf(errors, event?.[field], entry.reaches?.(c.side) ?? []);
  } catch (err) {
    return `unexpected: ${(err as Error).message}`;
  } finally {
    if (trigger) clearInterval(trigger);
    await live.close();
  }
}

describe('the nested rules cover the whole API', () => {
  it.each(ROOT_TYPES)('every %s field that reaches an Order, a Customer, a Cart or a Payment has nested paths, and only those', (root) => {
    const schema = buildSchema();
    const type = root === 'Query' ? schema.getQueryType() : root === 'Mutation' ? schema.getMutationType() : schema.getSubscriptionType();
    expect(Object.keys(NESTED[root]).sort()).toEqual(fieldsReachingGuarded(schema, type!));
    for (const [field, nested] of Object.entries(NESTED[root])) {
      if (!Array.isArray(nested)) expect([field, Array.isArray(NESTED[root][nested.sameAs])]).toEqual([field, true]);
    }
  });
});

const cases = ROOT_TYPES.flatMap((root) =>
  Object.entries(NESTED[root]).flatMap(([field, nested]) =>
    Array.isArray(nested)
      ? nested.flatMap((entry) => (field === 'me' ? (['A'] as const) : (['A', 'B'] as const)).map((side) => ({ root, field, entry, side })))
      : [],
  ),
);

describe('every caller gets what the type rules say on nested paths', () => {
  it.each(cases.map((c) => [`${c.root}.${c.field}`, c.entry.path, c.side === 'A' ? "on A's objects" : "on B's objects, ids swapped", c] as const))(
    '%s → %s %s',
    async (_name, _path, _side, { root, field, entry, side: sideName }) => {
      const side: Side = w.sides[sideName];
      const cartId = await ownersCart(t, w, side);
      const got: Record<string, Outcome | string> = {};
      for (const caller of CALLERS) {
        const c: NestedCase = { t, w, side, caller, cartId };
        const token = w.tokens[caller];
        const ws = await overWebSocket(field, entry, c, token);
        const http = root === 'Subscription' ? ws : await overHttp(field, entry, c, token);
        got[caller] = http === ws ? http : `http: ${http}; ws: ${ws}`;
      }
      const reachesShipped = entry.reaches?.(side).includes(side.shipped.id) ?? false;
      const expected = Object.fromEntries(
        CALLERS.map((caller) => {
          const asOnA = sideName === 'A' ? caller : MIRROR[caller];
          const outcome = entry.rule[asOnA];
          return [caller, outcome === 'ok' && reachesShipped && READS_ADDRESS.includes(asOnA) ? WITH_ADDRESS : outcome];
        }),
      );
      expect(got).toEqual(expected);
    },
  );
});
