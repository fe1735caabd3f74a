import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchemaSync } from 'type-graphql';
import { PROJECT_ROOT } from './core/paths';
import { resolvers } from './modules';

/** The executable schema, built from the resolvers of every module. */
export function buildSchema(): GraphQLSchema {
  return buildSchemaSync({
    resolvers,
    // The contract's scalar is DateTime (type-graphql's default name is DateTimeISO).
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
    // Subscriptions subscribe through the request's EventBus (see their `subscribe` option);
    // type-graphql insists on a PubSub, which must never be reached.
    pubSub: {
      publish: () => {
        throw new Error('publish through ctx.events');
      },
      subscribe: () => {
        throw new Error('subscribe through ctx.events');
      },
    },
  });
}

/** The SDL committed as schema/schema.graphql, sorted so it does not depend on decorator order. */
export function printSortedSchema(schema: GraphQLSchema = buildSchema()): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

export const SCHEMA_FILE = join(PROJECT_ROOT, 'schema', 'schema.graphql');

if (require.main === module) {
  writeFileSync(SCHEMA_FILE, printSortedSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
