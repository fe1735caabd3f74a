import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  BenchBrowseDocument,
  BenchCartCreateDocument,
  BenchCartDocument,
  BenchCartLinesAddDocument,
  BenchCartPickupDocument,
  BenchCheckoutDocument,
  BenchPickupQueueDocument,
} from './generated/graphql';

/**
 * The benchmark's workloads as sequences of GraphQL requests, written once against a minimal
 * client so that the load generator (bench/) and the statement-count tests (test/) run exactly
 * the same journeys.
 */
export interface GraphQLClient {
  /** Sends one operation; resolves to its data, rejects on GraphQL errors. */
  data<R, V>(document: TypedDocumentNode<R, V>, variables?: V, options?: { token?: string }): Promise<R>;
}

interface Payload {
  userErrors: { code: string; message: string }[];
}

/** A business refusal during a benchmark journey is a failed journey, never a silent success. */
function accepted<T extends Payload>(operation: string, payload: T): T {
  if (payload.userErrors.length) throw new Error(`${operation}: ${payload.userErrors.map((e) => `${e.code} ${e.message}`).join('; ')}`);
  return payload;
}

/** A storefront's product list: a page of products with variants, prices and available quantity. */
export async function browse(client: GraphQLClient, first: number, after?: string | null): Promise<{ products: number; endCursor: string | null }> {
  const { products } = await client.data(BenchBrowseDocument, { first, after });
  return { products: products.edges.length, endCursor: products.pageInfo.hasNextPage ? (products.pageInfo.endCursor ?? null) : null };
}

/** Create a cart, add three lines one request each, read it back with its pickup stores. */
export async function buildCart(client: GraphQLClient, skus: string[], token?: string): Promise<string> {
  const options = { token };
  const created = accepted('cartCreate', (await client.data(BenchCartCreateDocument, {}, options)).cartCreate);
  const cartId = created.cart!.id;
  for (const sku of skus) {
    accepted('cartLinesAdd', (await client.data(BenchCartLinesAddDocument, { cartId, lines: [{ sku, quantity: 1 }] }, options)).cartLinesAdd);
  }
  const { cart } = await client.data(BenchCartDocument, { id: cartId }, options);
  // At least: a customer's cart left over by an interrupted journey still holds its earlier lines.
  if (!cart || cart.lines.length < skus.length) throw new Error(`cart ${cartId}: expected ${skus.length} lines`);
  return cartId;
}

let keys = 0;

/** One customer's whole journey: build the cart, choose pickup at a store, complete checkout by card. */
export async function checkoutJourney(client: GraphQLClient, input: { skus: string[]; storeId: string; token?: string }): Promise<string> {
  const options = { token: input.token };
  const cartId = await buildCart(client, input.skus, input.token);
  accepted('cartSetFulfillment', (await client.data(BenchCartPickupDocument, { cartId, locationId: input.storeId }, options)).cartSetFulfillment);
  const idempotencyKey = `bench-${process.pid}-${Date.now().toString(36)}-${(keys++).toString(36)}`;
  const { order } = accepted('checkoutComplete', (await client.data(BenchCheckoutDocument, { cartId, idempotencyKey }, options)).checkoutComplete);
  return order!.id;
}

/** A store associate's POS screen: the store's open pickup orders with customer and lines. */
export async function pickupQueue(client: GraphQLClient, input: { storeId: string; token: string }): Promise<number> {
  const { pickupQueue: orders } = await client.data(BenchPickupQueueDocument, { locationId: input.storeId }, { token: input.token });
  return orders.length;
}
