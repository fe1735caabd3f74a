// Tracing on the built service: spans exported over OTLP/HTTP to a small receiver on loopback.
// (In jest's module sandbox the exporter cannot load node:http, which it imports dynamically.)
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cleanUp, locations, ServiceProcess, tmpDir } from './service-process';

afterAll(cleanUp);

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  status?: { code?: number; message?: string };
  attributes: Record<string, unknown>;
  service: string;
}

/** An OTLP/HTTP (JSON) traces endpoint on loopback that keeps every span it receives. */
async function otlpReceiver(): Promise<{ server: Server; url: string; spans: ReceivedSpan[]; paths: string[] }> {
  const spans: ReceivedSpan[] = [];
  const paths: string[] = [];
  type Attr = { key: string; value: Record<string, unknown> };
  const flatten = (attrs: Attr[] = []) =>
    Object.fromEntries(
      attrs.map(({ key, value }) => [
        key,
        value.stringValue ??
          value.intValue ??
          value.boolValue ??
          (value.arrayValue as { values?: { stringValue?: string }[] })?.values?.map((v) => v.stringValue),
      ]),
    );
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      paths.push(req.url ?? '');
      const payload = JSON.parse(body) as {
        resourceSpans: {
          resource: { attributes: Attr[] };
          scopeSpans: { spans: (Omit<ReceivedSpan, 'attributes' | 'service'> & { attributes: Attr[] })[] }[];
        }[];
      };
      for (const rs of payload.resourceSpans) {
        const service = String(flatten(rs.resource.attributes)['service.name']);
        for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, attributes: flatten(s.attributes), service });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, paths };
}

describe('tracing', () => {
  it('exports a span per GraphQL operation, with its SQL statements as children', async () => {
    const receiver = await otlpReceiver();
    const caller = { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
    try {
      const service = ServiceProcess.start(
        { PORT: '0', LOG_LEVEL: 'info', DATA_DIR: 'memory://', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'commerce-under-test' },
        tmpDir('tracing'),
      );
      const url = await service.ready();
      expect((await service.waitForLog((l) => l.msg === 'tracing enabled')).endpoint).toBe(`${receiver.url}/v1/traces`);
      const requestId = `trace-${Date.now()}`;
      const found = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-channel': 'APP', 'x-request-id': requestId, traceparent: `00-${caller.traceId}-${caller.spanId}-01` },
        body: JSON.stringify({ query: 'query StoreList { locations(pickupEnabled: true) { code } }' }),
      });
      expect(((await found.json()) as { data: { locations: unknown[] } }).data.locations).toHaveLength(3);
      const storeId = (await locations(url))[0].id;
      const refused = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query Queue($id: ID!) { pickupQueue(locationId: $id) { id } }', variables: { id: storeId } }),
      });
      expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('UNAUTHENTICATED');
      // Shutting down exports the spans still buffered.
      expect((await service.stop()).code).toBe(0);
    } finally {
      receiver.server.close();
    }

    expect(receiver.paths.length).toBeGreaterThan(0);
    expect(receiver.paths.every((p) => p === '/v1/traces')).toBe(true);
    const operation = receiver.spans.find((s) => s.name === 'query StoreList');
    expect(operation).toBeDefined();
    expect(operation!.service).toBe('commerce-under-test');
    // It joined the caller's trace (traceparent) as a child of the caller's span.
    expect([operation!.traceId, operation!.parentSpanId]).toEqual([caller.traceId, caller.spanId]);
    expect(operation!.attributes).toMatchObject({
      'graphql.operation.name': 'StoreList',
      'graphql.operation.type': 'query',
      'commerce.channel': 'APP',
      'commerce.request_id': expect.stringMatching(/^trace-/),
    });
    const statements = receiver.spans.filter((s) => s.parentSpanId === operation!.spanId);
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.every((s) => s.traceId === operation!.traceId && s.name === 'db select' && s.attributes['db.system.name'] === 'postgresql')).toBe(true);
    expect(statements.some((s) => String(s.attributes['db.query.text']).includes('location'))).toBe(true);

    const queue = receiver.spans.find((s) => s.name === 'query Queue');
    expect(queue?.traceId).not.toBe(caller.traceId); // no traceparent: a trace of its own
    expect(queue?.parentSpanId ?? '').toBe('');
    expect(queue?.status?.code).toBe(2); // ERROR
    expect(queue?.attributes['graphql.error.codes']).toEqual(['UNAUTHENTICATED']);
  }, 90_000);
});

describe('tracing over WebSocket', () => {
  it('exports a span per query and per subscription sent over graphql-ws, with SQL statements as children', async () => {
    const { createClient } = await import('graphql-ws');
    const { WebSocket } = await import('ws');
    const receiver = await otlpReceiver();
    try {
      const service = ServiceProcess.start(
        { PORT: '0', LOG_LEVEL: 'info', DATA_DIR: 'memory://', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
        tmpDir('tracing-ws'),
      );
      const url = await service.ready();
      const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
      const first = (query: string, variables?: Record<string, unknown>) =>
        new Promise<unknown>((resolve, reject) => {
          const stop = client.subscribe({ query, variables }, { next: (value) => (stop(), resolve(value)), error: reject, complete: () => resolve(undefined) });
        });
      expect(await first('query WsStores { locations(pickupEnabled: true) { code } }')).toMatchObject({ data: { locations: expect.any(Array) } });
      const live = client.subscribe(
        { query: 'subscription WsLive($id: ID!) { orderUpdated(orderId: $id) { id } }', variables: { id: '00000000-0000-4000-8000-000000000000' } },
        { next: () => undefined, error: () => undefined, complete: () => undefined },
      );
      await new Promise((r) => setTimeout(r, 500));
      live();
      await client.dispose();
      expect((await service.stop()).code).toBe(0);
    } finally {
      receiver.server.close();
    }
    const query = receiver.spans.find((s) => s.name === 'query WsStores');
    expect(query?.attributes).toMatchObject({ 'graphql.operation.name': 'WsStores', 'graphql.operation.type': 'query' });
    expect(receiver.spans.filter((s) => s.parentSpanId === query!.spanId).some((s) => s.name === 'db select')).toBe(true);
    const subscription = receiver.spans.find((s) => s.name === 'subscription WsLive');
    expect(subscription?.attributes).toMatchObject({
      'graphql.operation.name': 'WsLive',
      'graphql.operation.type': 'subscription',
      'commerce.transport': 'websocket',
    });
    expect(receiver.spans.filter((s) => s.parentSpanId === subscription!.spanId).some((s) => s.name === 'db select')).toBe(true);
  }, 90_000);
});
