import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from './core/config';
import type { RequestContext } from './core/context';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './core/db/embedded';
import { assertDurableServer } from './core/db/guards';
import { initOrm, migrate, type Orm } from './core/db/orm';
import { SqlStats, sqlStatsHeaderPlugin } from './core/db/sql-stats';
import { consoleRoute } from './core/console';
import { createExplorer, EXPLORER_PATH } from './core/explorer';
import { createLogger, currentRequestId, describeError, requestScope, type Logger, type RequestScope } from './core/logger';
import { createEventBus, createInProcessBus, type EventBus } from './core/events';
import { startJobs } from './core/jobs';
import { createRequestContext } from './core/request';
import { SignInThrottle } from './core/auth/throttle';
import { AbuseLimits } from './core/security/limits';
import { createSessionCaching } from './core/auth/session-notifications';
import { createSecurity } from './core/security';
import { serveWebSocket } from './core/security/websocket';
import { createObservability } from './core/observability';
import { createDispatcher, createJobs, createLoaders, entities } from './modules';
import { closeTransports } from './modules/notification';
import { listenOnPooledConnection } from './modules/outbox';
import { createPricingCaching } from './modules/pricing';
import { buildSchema } from './schema';
import { bootstrap } from './seed/bootstrap';

export interface App {
  httpServer: Server;
  orm: Orm;
  stats: SqlStats;
  log: Logger;
  /** The PostgreSQL URL in use (the embedded database's loopback socket when embedded). */
  databaseUrl: string;
  events: EventBus;
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
  /** Apply migrations at start (default true). */
  migrate?: boolean;
  /** Create the first admin and, on an empty database, the demo data (default true). */
  bootstrap?: boolean;
}

/** The whole service, ready to listen: used by main.ts and by the tests. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log = options.logger ?? createLogger(config.logLevel);
  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    embedded = await startEmbeddedDatabase(config.dataDir);
    log.info('embedded database started', { dataDir: config.dataDir });
  }
  const databaseUrl = config.databaseUrl ?? embedded!.url;
  const stats = new SqlStats();
  const sessions = createSessionCaching(config.sessionCacheSeconds, databaseUrl, log);
  let dispatcher: ReturnType<typeof createDispatcher> | undefined;
  const pricing = createPricingCaching(config, databaseUrl, log);
  const orm = await initOrm({
    url: databaseUrl,
    entities,
    poolMax: config.dbPoolMax,
    stats,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeoutMs,
    onConnection: async (connection) => {
      await sessions.onConnection(connection);
      // The embedded database is one session: a commit's NOTIFY reaches only the connection that
      // committed (also when reached through its socket), so pooled connections listen too.
      if (config.outbox.dispatcherEnabled) await listenOnPooledConnection(connection, () => dispatcher?.wake());
      if (config.pricingCache) await pricing.onConnection(connection);
    },
  });
  try {
    await assertDurableServer(orm, config, log);
    if (options.migrate !== false) {
      const applied = await migrate(orm);
      if (applied.length) log.info('migrations applied', { migrations: applied });
    }
    if (options.bootstrap !== false) await bootstrap(orm, config, log, createInProcessBus());
    await sessions.start();
    if (config.pricingCache) {
      await pricing.start();
      // The rules are read once now, not by the first cart of the day.
      await pricing.cache.get(orm.em.fork());
    }
  } catch (err) {
    await sessions.close();
    await pricing.close();
    await orm.close();
    await embedded?.close();
    throw err;
  }

  const events = createEventBus(config.redisUrl, log);
  const jobs = config.jobsEnabled ? startJobs(createJobs(orm, config, log, events), log) : undefined;
  const schema = buildSchema();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.security.trustProxyHops);
  const httpServer = createServer(app);
  const signInThrottle = SignInThrottle.create(config, log);
  const limits = AbuseLimits.create(config, log);
  await limits.connected();
  const deps = { orm, createLoaders, config, log, events, signInThrottle, limits, sessionCache: sessions.cache };
  const security = createSecurity(config, log);
  const observability = createObservability(config, orm, log);
  limits.onAlert((alert) => observability.countSecurityAlert(alert));
  if (config.outbox.dispatcherEnabled) {
    dispatcher = createDispatcher(orm, config, log, events, embedded ? undefined : databaseUrl, observability.registry);
    await dispatcher.start();
  }
  // Like introspection, which it needs: development and tests only.
  const explorer = config.nodeEnv === 'production' ? undefined : createExplorer();

  // GraphQL over WebSocket: the same pipeline as HTTP (see src/core/security/websocket.ts).
  const live = serveWebSocket(httpServer, {
    schema,
    config,
    log,
    security,
    observability,
    sessions,
    em: () => orm.em.fork() as EntityManager,
    createContext: (credentials) => createRequestContext(deps, credentials),
    execute: async (request, contextValue) => {
      const response = await apollo.executeOperation(request, { contextValue });
      if (response.body.kind !== 'single') throw new Error('incremental delivery is not served over WebSocket');
      return response.body.singleResult;
    },
  });

  const apollo = new ApolloServer<RequestContext>({
    schema,
    csrfPrevention: true,
    // main.ts owns the signals and closes the database after Apollo has drained.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    ...security.apollo,
    formatError: security.formatError,
    plugins: [
      ...security.plugins,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No cache hints in this schema: the default cache-control plugin only wrapped every field resolver.
      ApolloServerPluginCacheControlDisabled(),
      { serverWillStart: async () => ({ drainServer: async () => void (await live.close()) }) },
      operationNamePlugin,
      ...observability.plugins,
      ...(config.sqlStatsHeader ? [sqlStatsHeaderPlugin] : []),
      ...(explorer ? [explorer.landingPage] : []),
    ],
  });
  await apollo.start();

  app.use((req, res, next) => {
    const requestId = validRequestId(req.header('x-request-id')) ?? randomUUID();
    const started = process.hrtime.bigint();
    res.setHeader('x-request-id', requestId);
    const scope: RequestScope = { requestId };
    res.locals.scope = scope;
    res.on('finish', () => {
      if (req.path === '/healthz' || req.path === '/metrics') return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      requestScope.run(scope, () =>
        log.info('request', {
          method: req.method,
          path: req.originalUrl.split('?')[0],
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
          operation: scope.operationName,
        }),
      );
    });
    requestScope.run(scope, next);
  });

  app.get('/healthz', async (_req, res) => {
    try {
      await orm.em.getConnection().execute('select 1');
      res.json({ status: 'ok' });
    } catch (err) {
      log.warn('health check failed', describeError(err));
      res.status(503).json({ status: 'unavailable' });
    }
  });
  observability.mount(app);
  if (config.consoleEnabled) app.use('/console', ...consoleRoute());
  if (explorer) app.use(EXPLORER_PATH, explorer.router);

  const graphql = expressMiddleware(apollo, {
    context: async ({ req }) =>
      createRequestContext(deps, {
        requestId: currentRequestId() ?? randomUUID(),
        authorization: req.header('authorization'),
        channel: req.header('x-channel'),
        clientAddress: req.ip,
      }),
  });
  app.use(
    '/graphql',
    security.http,
    // Body parsing leaves the request's async scope; re-enter it so resolvers and error masking log the request id.
    (req, res, next) => requestScope.run(res.locals.scope as RequestScope, () => graphql(req, res, next)),
  );

  let closed = false;
  return {
    httpServer,
    orm,
    stats,
    log,
    databaseUrl,
    events,
    listen: (port = config.port) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, () => resolve(`http://localhost:${(httpServer.address() as AddressInfo).port}/graphql`));
      }),
    async close() {
      if (closed) return;
      closed = true;
      // Stops accepting, lets in-flight requests finish, then closes the database cleanly.
      await apollo.stop();
      log.debug('http server drained');
      await jobs?.stop();
      await dispatcher?.stop();
      await closeTransports();
      await observability.close();
      await events.close();
      await signInThrottle.close();
      await limits.close();
      await sessions.close();
      await pricing.close();
      await orm.close();
      log.debug('database connections closed');
      await embedded?.close();
      if (embedded) log.debug('embedded database closed');
    },
  };
}

const validRequestId = (value: string | undefined): string | undefined => (value && /^[A-Za-z0-9._-]{1,100}$/.test(value) ? value : undefined);

const operationNamePlugin: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operationName }) {
        const scope = requestScope.getStore();
        if (scope) scope.operationName = operationName ?? undefined;
      },
    };
  },
};
