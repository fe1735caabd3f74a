import { type GraphQLFormattedError } from 'graphql';
import { buildSchema } from '../../src/schema';
import { TestApp } from '../support/harness';
import { subscribe } from '../support/live';
import { RULES, type Case, type OperationRule, type Outcome, type Prepared } from './authorization.rules';
import { aWorld, CALLERS, type CallerName, type Side, type World } from './world';

/**
 * The authorization matrix: every query, mutation and subscription of the built schema, run by
 * every kind of caller over HTTP (subscriptions over WebSocket), against the rules in
 * authorization.rules.ts. Object-level rules run twice: on customer A's objects at store A, and
 * on customer B's at store B with the callers' roles mirrored, so ids swapped between callers
 * are refused the same way.
 */
let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await TestApp.start();
  w = await aWorld(t);
});
afterAll(() => t.close());

type RootType = keyof typeof RULES;
const ROOT_TYPES: RootType[] = ['Query', 'Mutation', 'Subscription'];

/** How each caller stands to side B's objects: as their counterpart stands to side A's. */
const MIRROR: Record<CallerName, CallerName> = {
  guest: 'guest',
  customerA: 'customerB',
  customerB: 'customerA',
  associateA: 'associateB',
  associateB: 'associateA',
  managerA: 'associateB', // staff of the other store
  admin: 'admin',
};

/** The object at stake is missing (as opposed to a business refusal about a part of it). */
const OBJECT_PATHS = ['cartId', 'orderId', 'input.customerId', 'customerId', 'id'];

function outcomeOf(errors: readonly GraphQLFormattedError[] | undefined, value: unknown): Outcome | string {
  if (errors?.length) {
    const code = errors[0].extensions?.code;
    return errors.length === 1 && (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') ? code : `unexpected ${JSON.stringify(errors)}`;
  }
  if (value === null || value === undefined) return 'none';
  const userErrors = (value as { userErrors?: { code: string; field?: string[] | null }[] }).userErrors ?? [];
  const missing = userErrors.find((e) => e.code === 'NOT_FOUND' && OBJECT_PATHS.includes((e.field ?? []).join('.')));
  return missing ? `not found ${JSON.stringify(missing)}` : 'ok';
}

async function overHttp(field: string, op: OperationRule, c: Case, token: string | undefined): Promise<Outcome | string> {
  const res = await t.post({ query: op.document, variables: op.variables ? await op.variables(c) : {} }, { token });
  const body = (await res.json()) as { data?: Record<string, unknown> | null; errors?: GraphQLFormattedError[] };
  return outcomeOf(body.errors, body.data?.[field]);
}

/** Subscribes, makes the topic fire until something arrives, and reports what did. */
async function overWebSocket(field: string, op: OperationRule, c: Case, token: string | undefined): Promise<Outcome | string> {
  const live = subscribe(t, op.document, op.variables ? await op.variables(c) : {}, { token });
  // Events published before the subscription is live are lost: publish until one arrives.
  const trigger = setInterval(() => op.trigger!(t, c.side), 100);
  try {
    const { event, errors } = await live.first();
    if (errors.length) return outcomeOf(errors, undefined);
    return event ? outcomeOf(undefined, event[field]) : 'unexpected: completed without an event';
  } catch (err) {
    return `unexpected: ${(err as Error).message}`;
  } finally {
    clearInterval(trigger);
    await live.close();
  }
}

describe('the rules cover the whole API', () => {
  it.each(ROOT_TYPES)('every %s field of the built schema has a rule, and every rule a field', (root) => {
    const schema = buildSchema();
    const type = root === 'Query' ? schema.getQueryType() : root === 'Mutation' ? schema.getMutationType() : schema.getSubscriptionType();
    expect(Object.keys(type!.getFields()).sort()).toEqual(Object.keys(RULES[root]).sort());
  });

  it('every rule states an outcome for every caller', () => {
    for (const root of ROOT_TYPES) {
      for (const [field, op] of Object.entries(RULES[root])) {
        expect([field, Object.keys(op.rule).sort()]).toEqual([field, [...CALLERS].sort()]);
      }
    }
  });
});

const cases = ROOT_TYPES.flatMap((root) =>
  Object.entries(RULES[root]).flatMap(([field, op]) => (op.object ? (['A', 'B'] as const) : (['A'] as const)).map((side) => ({ root, field, op, side }))),
);

describe('every caller gets what the rules say', () => {
  const label = (c: (typeof cases)[number]) => (!c.op.object ? '' : c.side === 'A' ? "on A's objects" : "on B's objects, ids swapped");
  it.each(cases.map((c) => [`${c.root}.${c.field}`, label(c), c] as const))('%s %s', async (_name, _side, { root, field, op, side: sideName }) => {
    const side: Side = w.sides[sideName];
    const prepared = { ...(op.prepare ? await op.prepare(t, w, side) : {}) } as Prepared;
    const got: Record<string, Outcome | string> = {};
    for (const caller of CALLERS) {
      const token = op.freshSession && caller !== 'guest' ? await w.freshToken(caller) : w.tokens[caller];
      const c: Case = { t, w, side, prepared, caller };
      got[caller] = root === 'Subscription' ? await overWebSocket(field, op, c, token) : await overHttp(field, op, c, token);
    }
    const expected = Object.fromEntries(CALLERS.map((caller) => [caller, op.rule[sideName === 'A' ? caller : MIRROR[caller]]]));
    expect(got).toEqual(expected);
  });
});
