import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { getNamedType, getNullableType, GraphQLError, isLeafType, isListType, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { SecurityConfig } from '../config';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../pagination';
import { stringInputRefusal } from './input-policy';

/**
 * Lists without a `first` argument (a cart's lines, an order's events, stock per location) are
 * short by nature; counting each as ten items keeps them from being free while a page of 100
 * orders still costs what it does.
 */
const UNPAGED_LIST_FACTOR = 10;

const COST_LIMIT_CODE = 'QUERY_TOO_COMPLEX';

export const queryTooComplex = (cost: number, max: number) =>
  new GraphQLError(
    `The query costs ${Number.isFinite(cost) ? cost : 'too much to count'}, more than the ${max} allowed: ask for fewer items or fewer nested lists.`,
    {
      extensions: { code: COST_LIMIT_CODE, ...(Number.isFinite(cost) ? { cost } : {}), maxCost: max, http: { status: 400 } },
    },
  );

const firstOutOfRange = (fieldName: string) =>
  new GraphQLError(`first must be between 1 and ${MAX_PAGE_SIZE} (on ${fieldName}).`, {
    extensions: { code: 'BAD_USER_INPUT', argumentName: 'first', http: { status: 400 } },
  });

/**
 * The cost of one field: 1 for a scalar, 1 + items × the selection below for an object or a
 * list, where a connection's items are its `first` (20 when absent). A `first` outside 1–100 is
 * refused here, before any resolver or SQL runs, wherever it sits in the query.
 */
const costEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  // Introspection reads the schema in memory, never the database, and its size is bounded by the
  // schema and the depth limit; counted like data, the standard introspection query of a
  // development tool (the explorer, codegen) costs about 50 000. Production refuses it anyway.
  if (field.name === '__schema' || field.name === '__type') return 0;
  if (field.args.some((a) => a.name === 'first')) {
    const first: unknown = args.first ?? DEFAULT_PAGE_SIZE;
    if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) throw firstOutOfRange(field.name);
    return 1 + first * childComplexity;
  }
  if (isLeafType(getNamedType(field.type))) return 1;
  // A connection's edges are the `first` items already counted on the connection field.
  if (field.name === 'edges' && type.name.endsWith('Connection')) return 1 + childComplexity;
  return 1 + (isListType(getNullableType(field.type)) ? UNPAGED_LIST_FACTOR : 1) * childComplexity;
};

/** The cost of an operation as the limit counts it. */
function operationCost(schema: GraphQLSchema, query: DocumentNode, variables?: Record<string, unknown>, operationName?: string): number {
  return getComplexity({ schema, query, variables, operationName, estimators: [costEstimator] });
}

/**
 * Why an operation is refused by its cost, with the request's variables, if it is: too costly,
 * or a `first` out of range. Variables that do not fit their types are left to execution, which
 * refuses them (BAD_USER_INPUT) before any resolver runs.
 */
export function costRefusal(
  maxCost: number,
  schema: GraphQLSchema,
  document: DocumentNode,
  variables?: Record<string, unknown> | null,
  operationName?: string | null,
): GraphQLError | undefined {
  let cost: number;
  try {
    cost = operationCost(schema, document, variables ?? {}, operationName ?? undefined);
  } catch (err) {
    if (!(err instanceof GraphQLError)) throw err;
    if (err.extensions.code) return err;
    // Fragments spread inside fragments can multiply a small document into millions of fields.
    if (/maximum allowed number of nodes/.test(err.message)) return queryTooComplex(Number.POSITIVE_INFINITY, maxCost);
    return undefined;
  }
  return cost > maxCost ? queryTooComplex(cost, maxCost) : undefined;
}

/**
 * Everything that bounds the work of one request, checked before any resolver runs: tokens while
 * parsing (graphql's parser); depth (fragments included), aliases and directives while validating (graphql-armor);
 * the cost with the request's variables once the operation is known (graphql-query-complexity), and
 * then the length and content of every string input (input-policy.ts).
 */
export function requestLimits(config: SecurityConfig): {
  plugins: ApolloServerPlugin[];
  validationRules: ValidationRule[];
  parseOptions: { maxTokens: number };
} {
  const armor = new ApolloArmor({
    maxDepth: { n: config.maxDepth, flattenFragments: true, exposeLimits: true },
    maxAliases: { n: config.maxAliases, exposeLimits: true },
    maxDirectives: { n: config.maxDirectives, exposeLimits: true },
    // Tokens are counted by graphql's own parser (parseOptions below): armor's token plugin
    // throws from a hook, which Apollo answers with a 500.
    maxTokens: { enabled: false },
    // Cost is graphql-query-complexity's below: armor's cost does not multiply by page sizes.
    costLimit: { enabled: false },
    // Suggestions are cut by withoutSuggestions (errors.ts) in production: armor's misses enum hints.
    blockFieldSuggestion: { enabled: false },
  }).protect();

  const costPlugin: ApolloServerPlugin = {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, operationName }) {
          const refusal =
            costRefusal(config.maxCost, schema, document, request.variables, operationName ?? undefined) ??
            stringInputRefusal(schema, document, request.variables, config.maxStringLength);
          if (refusal) throw refusal;
        },
      };
    },
  };
  return {
    plugins: [...armor.plugins, costPlugin],
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: config.maxTokens },
  };
}
