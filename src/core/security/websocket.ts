import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  subscribe,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { CloseCode, handleProtocols, makeServer, type SubscribePayload } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { GUEST, type Actor } from '../auth/actor';
import type { SessionChange, SessionChangeListener } from '../auth/session-notifications';
import { actorFromToken } from '../auth/sessions';
import type { Config } from '../config';
import type { RequestContext } from '../context';
import { describeError, requestScope, type Logger, type RequestScope } from '../logger';
import type { Observability, OperationObserver } from '../observability';
import { claimsPos, type RequestCredentials } from '../request';
import type { Security } from './index';
import { addressBucket } from './client-address';
import { stringInputRefusal } from './input-policy';
import { costRefusal } from './request-limits';

/** How often an idle connection is pinged; one that does not answer within the same time is dropped. */
const KEEP_ALIVE_MS = 12_000;
/** Close code for a refused or ended session: graphql-ws's own `Forbidden`, which its clients do not retry. */
export const SESSION_CLOSE_CODE = CloseCode.Forbidden;
/** Distinct documents kept parsed and validated (the oldest goes first). */
const DOCUMENT_CACHE_SIZE = 500;
/** One log line per address and reason at most this often, so a flood cannot flood the log too. */
const REFUSAL_LOG_INTERVAL_MS = 60_000;

export interface LiveDeps {
  schema: GraphQLSchema;
  config: Config;
  log: Logger;
  security: Security;
  observability: Observability;
  sessions: SessionChangeListener;
  /** A fresh EntityManager, for session checks. */
  em(): EntityManager;
  createContext(credentials: RequestCredentials): Promise<RequestContext>;
  /** Runs a query or mutation through the HTTP pipeline (Apollo's plugins, limits and error formatting). */
  execute(
    request: { query: string; variables?: Record<string, unknown>; operationName?: string; extensions?: Record<string, unknown> },
    context: RequestContext,
  ): Promise<FormattedExecutionResult>;
}

/** One client's WebSocket: who it is (checked when it connects) and where it comes from. */
interface Connection {
  socket: WebSocket;
  address: string;
  /** What per-address limits count it under (an IPv6 /64, loopback as one). */
  bucket: string;
  authorization?: string;
  channel?: string;
  token?: string;
  tokenHash?: string;
  /** The actor its token had when it connected (or was last checked); every event is checked against it. */
  actor: Actor;
  closed: boolean;
}

interface Extra {
  socket: WebSocket;
  request: IncomingMessage;
  connection: Connection;
}

/** A query or mutation, handed by onSubscribe to `execute`, which runs it through Apollo. */
interface ApolloOperation {
  viaApollo: true;
  payload: SubscribePayload;
  connection: Connection;
  /** Frees the client address's slot (see AddressGate) once the operation has run. */
  release: () => void;
}

const stringParam = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const withCode = (error: GraphQLError, code: string) =>
  new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });

const areErrors = (value: ExecutionArgs | readonly GraphQLError[]): value is readonly GraphQLError[] => Array.isArray(value);

const isUnauthenticated = (err: unknown): err is GraphQLError => err instanceof GraphQLError && err.extensions.code === 'UNAUTHENTICATED';

/**
 * The client address of an upgrade request, as Express computes `req.ip` for HTTP with
 * TRUST_PROXY_HOPS: the address that many proxies back in X-Forwarded-For.
 */
export function upgradeAddress(request: IncomingMessage, trustProxyHops: number): string {
  const forwarded = String(request.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
    .reverse();
  const addresses = [request.socket.remoteAddress ?? 'unknown', ...forwarded];
  return addresses[Math.min(trustProxyHops, addresses.length - 1)];
}

/**
 * At most `limit` operations of one client address doing work (SQL) at once; the others wait
 * their turn. A client that opens hundreds of subscriptions at once queues behind itself instead
 * of filling the database pool ahead of everyone else.
 */
class AddressGate {
  private readonly slots = new Map<string, { active: number; waiting: (() => void)[] }>();
  constructor(private readonly limit: number) {}

  async acquire(address: string): Promise<() => void> {
    let slot = this.slots.get(address);
    if (!slot) this.slots.set(address, (slot = { active: 0, waiting: [] }));
    if (slot.active >= this.limit) await new Promise<void>((resolve) => slot.waiting.push(resolve));
    else slot.active += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = slot.waiting.shift();
      // The slot passes straight to the next in line; the count only drops when nobody waits.
      if (next) next();
      else if (--slot.active === 0) this.slots.delete(address);
    };
  }
}

const sameActor = (a: Actor, b: Actor): boolean => {
  if (a.kind === 'staff' && b.kind === 'staff')
    return a.sessionId === b.sessionId && a.role === b.role && a.locationId === b.locationId && a.staffId === b.staffId;
  if (a.kind === 'customer' && b.kind === 'customer') return a.sessionId === b.sessionId && a.customerId === b.customerId;
  return a.kind === b.kind;
};

/**
 * GraphQL over WebSocket (graphql-ws on /graphql), with every protection of HTTP:
 * - a message is at most HTTP_BODY_LIMIT_KB, like a request body (larger ones close the socket, 1009);
 * - at most WS_MAX_CONNECTIONS_PER_ADDRESS open connections per client address (the upgrade is
 *   answered 429 before any socket is made), WS_MAX_SUBSCRIPTIONS_PER_CONNECTION operations at
 *   once on one connection, and WS_MAX_CONCURRENT_OPERATIONS_PER_ADDRESS operations of one address
 *   doing their work (SQL) at once, the others queued;
 * - the token in the connection parameters is checked on connect: malformed, unknown, expired or
 *   revoked closes the socket with 4403 (Forbidden), logged as one line;
 * - queries and mutations run through Apollo's own pipeline, as over HTTP (limits, string policy,
 *   error masking and rewording, metrics, tracing, sign-in throttles by the client's address);
 * - subscriptions get the same parse, validation, cost and string checks, the same error
 *   formatting, metrics and tracing; each event is sent only while the session is still the same
 *   live session, and a revoked session's sockets are closed on every instance as soon as the
 *   database's notification of the revocation arrives;
 * - every operation writes one request log line with its request id and operation name.
 */
export function serveWebSocket(httpServer: Server, deps: LiveDeps): { close(): Promise<void> } {
  const { schema, config, log, security, observability, sessions } = deps;
  const {
    bodyLimitKb,
    trustProxyHops,
    wsMaxConnectionsPerAddress,
    wsMaxSubscriptionsPerConnection,
    wsMaxConcurrentOperationsPerAddress,
    maxCost,
    maxStringLength,
  } = config.security;
  const gate = new AddressGate(wsMaxConcurrentOperationsPerAddress);
  const production = config.nodeEnv === 'production';
  const rules = [...specifiedRules, ...security.apollo.validationRules, ...(production ? [NoSchemaIntrospectionCustomRule] : [])];
  const perAddress = new Map<string, number>();
  const connections = new Set<Connection>();
  const refusalsLogged = new Map<string, number>();
  /** Documents parsed (and, for subscriptions, validated) recently, by their text: clients send the same few again and again. */
  const documents = new Map<string, { document: DocumentNode; invalid?: readonly GraphQLError[] }>();
  const remember = (query: string, entry: { document: DocumentNode }) => {
    if (documents.size >= DOCUMENT_CACHE_SIZE) documents.delete(documents.keys().next().value!);
    documents.set(query, entry);
  };
  /** A subscription between onSubscribe and `subscribe`: its measures and its connection. */
  const pending = new WeakMap<
    RequestContext,
    { observer: OperationObserver; started: bigint; scope: RequestScope; connection: Connection; release: () => void }
  >();

  const refused = (reason: string, address: string, fields: Record<string, unknown> = {}) => {
    observability.live.refused(reason);
    const key = `${reason}:${address}`;
    const last = refusalsLogged.get(key) ?? 0;
    if (Date.now() - last < REFUSAL_LOG_INTERVAL_MS) return;
    if (refusalsLogged.size > 10_000) refusalsLogged.clear();
    refusalsLogged.set(key, Date.now());
    log.warn('websocket refused', { reason, clientAddress: address, ...fields });
  };

  const closeFor = (connection: Connection, reason: string, message: string) => {
    if (connection.closed) return;
    connection.closed = true;
    refused(reason, connection.address, { closeCode: SESSION_CLOSE_CODE, message });
    connection.socket.close(SESSION_CLOSE_CODE, message);
  };

  /** The connection's token, resolved again (from the session cache when it can be trusted). */
  const stillValid = async (connection: Connection): Promise<boolean> => {
    if (!connection.token) return true;
    try {
      const actor = await actorFromToken(deps.em(), connection.token, sessions.cache);
      return sameActor(actor, connection.actor);
    } catch (err) {
      if (isUnauthenticated(err)) return false;
      throw err;
    }
  };

  const recheck = (connection: Connection) =>
    stillValid(connection)
      .then((valid) => valid || closeFor(connection, 'session_ended', 'Session ended'))
      .catch((err) => log.error('websocket session check failed', describeError(err)));

  const stopListening = sessions.onChange((change: SessionChange) => {
    for (const connection of connections) {
      if (!connection.token || connection.closed) continue;
      const actor = connection.actor;
      const subject = actor.kind === 'customer' ? actor.customerId : actor.kind === 'staff' ? actor.staffId : undefined;
      const concerned =
        change.kind === 'all' ||
        (change.kind === 'token' && change.tokenHash === connection.tokenHash) ||
        (change.kind === 'subject' && change.subjectId === subject);
      if (concerned) void recheck(connection);
    }
  });

  /** Ends a subscription's stream as soon as an event arrives for a session that is no longer the same. */
  const authorizedEvents = (connection: Connection, source: AsyncIterableIterator<ExecutionResult>): AsyncIterableIterator<ExecutionResult> => {
    const end = async (): Promise<IteratorResult<ExecutionResult>> => {
      await source.return?.();
      return { value: undefined, done: true };
    };
    return {
      async next() {
        const result = await source.next();
        if (result.done || !connection.token) return result;
        if (connection.closed || !(await stillValid(connection))) {
          closeFor(connection, 'session_ended', 'Session ended');
          return end();
        }
        return result;
      },
      return: end,
      async throw(err) {
        await end();
        throw err;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  };

  const credentials = (connection: Connection, requestId: string): RequestCredentials => ({
    requestId,
    authorization: connection.authorization,
    channel: connection.channel,
    clientAddress: connection.address,
  });

  const logOperation = (
    scope: RequestScope,
    started: bigint,
    type: string,
    result: { errors?: readonly { readonly extensions?: { readonly code?: unknown } }[] },
  ) => {
    const ms = Math.round((Number(process.hrtime.bigint() - started) / 1e6) * 10) / 10;
    const codes = (result.errors ?? []).map((e) => e.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    log.info('request', { transport: 'websocket', path: '/graphql', operation: scope.operationName, type, ms, ...(codes.length ? { errors: codes } : {}) });
  };

  const formatted = (errors: readonly GraphQLError[]) => errors.map((e) => security.formatError(e.toJSON(), e));

  /**
   * Checks an operation as Apollo would over HTTP and makes its context. A query or mutation is
   * handed to `execute` (Apollo's pipeline); a subscription is checked here. Returns the errors it
   * is refused with, or the arguments to run it with, which then own the address slot `release`.
   */
  const prepare = async (
    connection: Connection,
    payload: SubscribePayload,
    scope: RequestScope,
    started: bigint,
    refuse: (errors: readonly GraphQLError[], type?: string) => readonly GraphQLError[],
    release: () => void,
  ): Promise<ExecutionArgs | readonly GraphQLError[]> => {
    let known = documents.get(payload.query);
    if (!known) {
      try {
        known = { document: parse(payload.query, security.apollo.parseOptions) };
      } catch (err) {
        if (err instanceof GraphQLError) return refuse([withCode(err, 'GRAPHQL_PARSE_FAILED')]);
        throw err;
      }
      remember(payload.query, known);
    }
    const document = known.document;
    const operation = getOperationAST(document, payload.operationName);
    scope.operationName = operation?.name?.value ?? payload.operationName ?? undefined;
    if (operation && operation.operation !== 'subscription') {
      const viaApollo: ApolloOperation = { viaApollo: true, payload, connection, release };
      return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue: viaApollo };
    }
    known.invalid ??= validate(schema, document, rules);
    const invalid = known.invalid;
    if (invalid.length) return refuse(invalid.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')));
    if (!operation) return refuse([new GraphQLError('Unable to identify the operation.', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })]);
    const tooMuch =
      costRefusal(maxCost, schema, document, payload.variables, payload.operationName) ??
      stringInputRefusal(schema, document, payload.variables, maxStringLength);
    if (tooMuch) return refuse([tooMuch], 'subscription');
    let contextValue: RequestContext;
    try {
      contextValue = await deps.createContext(credentials(connection, scope.requestId));
    } catch (err) {
      if (!(err instanceof GraphQLError)) throw err;
      if (isUnauthenticated(err)) closeFor(connection, 'session_ended', 'Session ended');
      return refuse([err], 'subscription');
    }
    const observer = observability.observe(scope, { requestId: scope.requestId, channel: contextValue.channel });
    observer.resolved(scope.operationName, 'subscription');
    // The slot is released once the subscription is set up (its SQL done), in `subscribe` below.
    pending.set(contextValue, { observer, started, scope, connection, release });
    return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
  };

  const server = makeServer<Record<string, unknown> | undefined, Extra>({
    schema,
    onConnect: async (ctx) => {
      const connection = ctx.extra.connection;
      const params = ctx.connectionParams ?? {};
      connection.authorization = stringParam(params.authorization ?? params.Authorization);
      connection.channel = stringParam(params.channel ?? params['x-channel']);
      // The POS channel needs a staff token on a socket as on HTTP: refused at the handshake (4403),
      // so no operation runs under a channel the client may not claim.
      const posRefused = () => {
        connection.closed = true;
        refused('pos_channel', connection.address, { closeCode: SESSION_CLOSE_CODE });
        return false;
      };
      if (!connection.authorization) return claimsPos(connection.channel) ? posRefused() : true;
      const match = /^Bearer\s+(\S+)$/i.exec(connection.authorization.trim());
      try {
        if (!match) throw new GraphQLError('Send the access token as "Bearer <token>".', { extensions: { code: 'UNAUTHENTICATED' } });
        connection.actor = await actorFromToken(deps.em(), match[1], sessions.cache);
      } catch (err) {
        if (!isUnauthenticated(err)) throw err;
        connection.closed = true;
        refused('authentication', connection.address, { closeCode: SESSION_CLOSE_CODE, message: err.message });
        return false;
      }
      if (claimsPos(connection.channel) && connection.actor.kind !== 'staff') return posRefused();
      connection.token = match[1];
      connection.tokenHash = createHash('sha256').update(match[1]).digest('hex');
      return true;
    },

    onSubscribe: async (ctx, id, payload) => {
      const connection = ctx.extra.connection;
      const scope = requestScope.getStore() ?? { requestId: randomUUID() };
      const started = process.hrtime.bigint();
      const refuse = (errors: readonly GraphQLError[], type = 'unknown') => {
        const observer = observability.observe(scope, { requestId: scope.requestId, channel: connection.channel ?? 'WEB' });
        observer.resolved(scope.operationName, type);
        observer.failed(errors);
        observer.end();
        logOperation(scope, started, type, { errors });
        return errors;
      };
      if (Object.keys(ctx.subscriptions).length > wsMaxSubscriptionsPerConnection) {
        observability.live.refused('operation_limit');
        return refuse([
          new GraphQLError(`A connection runs at most ${wsMaxSubscriptionsPerConnection} operations at once: complete one before starting another.`, {
            extensions: { code: 'TOO_MANY_OPERATIONS', max: wsMaxSubscriptionsPerConnection },
          }),
        ]);
      }
      // One address's operations take their turn (parsing, validating, SQL) a few at a time.
      const release = await gate.acquire(connection.bucket);
      let handedOver = false;
      try {
        const prepared = await prepare(connection, payload, scope, started, refuse, release);
        handedOver = !areErrors(prepared);
        return prepared;
      } finally {
        if (!handedOver) release();
      }
    },

    // Queries and mutations: Apollo's pipeline, with a context made as for HTTP.
    execute: (async (args: ExecutionArgs) => {
      const { payload, connection, release } = args.contextValue as ApolloOperation;
      const scope = requestScope.getStore() ?? { requestId: randomUUID() };
      const started = process.hrtime.bigint();
      let result: FormattedExecutionResult;
      try {
        const context = await deps.createContext(credentials(connection, scope.requestId));
        result = await deps.execute(
          {
            query: payload.query,
            variables: payload.variables ?? undefined,
            operationName: payload.operationName ?? undefined,
            extensions: payload.extensions ?? undefined,
          },
          context,
        );
      } catch (err) {
        if (!(err instanceof GraphQLError)) throw err;
        if (isUnauthenticated(err)) closeFor(connection, 'session_ended', 'Session ended');
        result = { errors: formatted([err]) };
      } finally {
        release();
      }
      logOperation(
        scope,
        started,
        (args.document.definitions.find((d) => d.kind === 'OperationDefinition') as { operation?: string } | undefined)?.operation ?? 'unknown',
        result,
      );
      return result as ExecutionResult;
    }) as never,

    subscribe: (async (args: ExecutionArgs) => {
      const seen = pending.get(args.contextValue as RequestContext);
      let result: Awaited<ReturnType<typeof subscribe>>;
      try {
        result = await subscribe(args);
      } finally {
        seen?.release();
      }
      if (!seen) return result;
      pending.delete(args.contextValue as RequestContext);
      const errors = 'errors' in result && result.errors ? result.errors : [];
      if (errors.length) seen.observer.failed(errors);
      seen.observer.end();
      logOperation(seen.scope, seen.started, 'subscription', { errors });
      return Symbol.asyncIterator in result ? authorizedEvents(seen.connection, result) : result;
    }) as never,

    onNext: (_ctx, _id, _payload, args, result) => {
      if ((args.contextValue as Partial<ApolloOperation>)?.viaApollo) return result as FormattedExecutionResult;
      const { errors, ...rest } = result as ExecutionResult;
      return errors ? { ...rest, errors: formatted(errors) } : (rest as FormattedExecutionResult);
    },
    onError: (_ctx, _id, _payload, errors) => formatted(errors),
  });

  const wss = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: bodyLimitKb * 1024,
    handleProtocols,
    verifyClient: ({ req }, done) => {
      const address = addressBucket(upgradeAddress(req, trustProxyHops));
      const open = perAddress.get(address) ?? 0;
      if (open >= wsMaxConnectionsPerAddress) {
        refused('address_limit', address, { open });
        return done(false, 429, 'Too many connections from this address');
      }
      // Counted from the handshake until the TCP connection closes, whatever happens in between.
      perAddress.set(address, open + 1);
      req.socket.once('close', () => {
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left > 0) perAddress.set(address, left);
        else perAddress.delete(address);
      });
      done(true);
    },
  });

  wss.on('connection', (socket, request) => {
    const address = upgradeAddress(request, trustProxyHops);
    const connection: Connection = { socket, address, bucket: addressBucket(address), actor: GUEST, closed: false };
    connections.add(connection);
    observability.live.opened();
    socket.on('error', (err) => {
      // ws has already closed the socket (1009 for a message over the limit): one line, no stack.
      const tooLarge = /max payload/i.test(err.message);
      if (tooLarge) refused('message_too_large', connection.address, { closeCode: 1009, maxBytes: bodyLimitKb * 1024 });
      else log.warn('websocket error', { clientAddress: connection.address, error: err.message });
    });
    let pongWait: NodeJS.Timeout | undefined;
    const keepAlive = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), KEEP_ALIVE_MS);
      socket.once('pong', () => clearTimeout(pongWait));
      socket.ping();
    }, KEEP_ALIVE_MS);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (err) => (err ? reject(err) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            // Each message is at most one operation: its own request id, for every log line and SQL statement it causes.
            const scope: RequestScope = { requestId: randomUUID() };
            void requestScope.run(scope, async () => {
              try {
                await handle(String(data));
              } catch (err) {
                log.error('websocket message failed', { clientAddress: connection.address, ...describeError(err) });
                socket.close(CloseCode.InternalServerError, 'Internal server error');
              }
            });
          }),
      },
      { socket, request, connection },
    );
    socket.once('close', (code, reason) => {
      connection.closed = true;
      connections.delete(connection);
      observability.live.closed();
      clearInterval(keepAlive);
      clearTimeout(pongWait);
      void closed(code, String(reason));
    });
  });

  return {
    async close() {
      stopListening();
      for (const client of wss.clients) client.close(1001, 'Going away');
      await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
