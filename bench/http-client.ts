import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';
import type { GraphQLClient } from '../test/support/journeys';
import type { OpMeasure } from './stats';

const printed = new WeakMap<DocumentNode, string>();
const text = (document: DocumentNode): string => {
  let query = printed.get(document);
  if (!query) printed.set(document, (query = print(document)));
  return query;
};

const operationName = (document: DocumentNode): string | undefined => document.definitions.find((d) => d.kind === 'OperationDefinition')?.name?.value;

/**
 * GraphQL over HTTP to the service under test (Node's fetch, keep-alive). Adds each response's
 * `x-sql-statements` to the operation's measure, and times the checkout request on its own.
 */
export class HttpClient implements GraphQLClient {
  constructor(
    private readonly url: string,
    private readonly measure: OpMeasure = { statements: 0 },
  ) {}

  /** The same client, reporting into another operation's measure. */
  for(measure: OpMeasure): HttpClient {
    return new HttpClient(this.url, measure);
  }

  async data<R, V>(document: TypedDocumentNode<R, V>, variables?: V, options: { token?: string } = {}): Promise<R> {
    const started = performance.now();
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      body: JSON.stringify({ query: text(document), variables }),
      // A request that never ends would stall the whole run.
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await res.json()) as { data?: R; errors?: { message: string }[] };
    const name = operationName(document);
    if (name === 'BenchCheckout') this.measure.checkoutMs = performance.now() - started;
    this.measure.statements += Number(res.headers.get('x-sql-statements') ?? 0);
    if (body.errors?.length || !body.data) throw new Error(`${name}: ${res.status} ${JSON.stringify(body.errors)}`);
    return body.data;
  }
}
