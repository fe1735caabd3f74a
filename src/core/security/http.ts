import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import cors from 'cors';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Config } from '../config';

/** The Apollo settings that differ in production: decided by our NODE_ENV, never Apollo's own default. */
export function apolloExposure(config: Config): { introspection: boolean; plugins: ApolloServerPlugin[] } {
  const production = config.nodeEnv === 'production';
  return { introspection: !production, plugins: production ? [ApolloServerPluginLandingPageDisabled()] : [] };
}

const errorBody = (status: number, code: string, message: string) => ({ status, body: { errors: [{ message, extensions: { code } }] } });

/**
 * What runs on /graphql before Apollo: CORS by the configured allow-list, the body size limit,
 * and no batched (array) requests — each refused as a GraphQL-shaped JSON error, never an HTML
 * page with a stack.
 */
export function graphqlHttpGuards(config: Config): express.Router {
  const { corsOrigins, bodyLimitKb } = config.security;
  const refuseBatches: RequestHandler = (req, res, next) => {
    if (!Array.isArray(req.body)) return next();
    const { status, body } = errorBody(400, 'BAD_REQUEST', 'Batched requests are not accepted: send one operation per request.');
    res.status(status).json(body);
  };
  return express
    .Router()
    .use(
      cors({ origin: corsOrigins === '*' ? true : corsOrigins, maxAge: 600 }),
      express.json({ limit: `${bodyLimitKb}kb` }),
      refuseBatches,
      bodyErrors(bodyLimitKb),
    );
}

/** body-parser's failures (too large, malformed JSON) as JSON errors; anything else goes on. */
function bodyErrors(bodyLimitKb: number): ErrorRequestHandler {
  return (err: { type?: string; status?: number }, _req, res, next) => {
    if (err?.type === 'entity.too.large') {
      const { status, body } = errorBody(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${bodyLimitKb} KB.`);
      return void res.status(status).json(body);
    }
    if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
      const message = err.type === 'entity.parse.failed' ? 'The request body is not valid JSON.' : 'The request body could not be read.';
      const { status, body } = errorBody(400, 'BAD_REQUEST', message);
      return void res.status(status).json(body);
    }
    next(err);
  };
}
