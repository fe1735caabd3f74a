import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError, ParseOptions, ValidationRule } from 'graphql';
import type { Config } from '../config';
import { CLIENT_ERROR_CODES } from '../errors';
import { currentRequestId, describeError, type Logger } from '../logger';
import { leaksInternals, withoutSuggestions } from './errors';
import { apolloExposure, graphqlHttpGuards } from './http';
import { requestLimits } from './request-limits';

export { leaksInternals } from './errors';

/**
 * Everything the service wires in to bound and guard requests, in one place: the Apollo options
 * (also applied to WebSocket operations, see websocket.ts), the Express guards in front of
 * /graphql, and the formatting of every error a client is sent.
 */
export function createSecurity(config: Config, log: Logger) {
  const production = config.nodeEnv === 'production';
  const limits = requestLimits(config.security);
  const exposure = apolloExposure(config);
  const apollo: { introspection: boolean; validationRules: ValidationRule[]; parseOptions: ParseOptions } = {
    introspection: exposure.introspection,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
  };
  const plugins: ApolloServerPlugin[] = [...exposure.plugins, ...limits.plugins];
  return {
    apollo,
    plugins,
    http: graphqlHttpGuards(config),
    /** Cuts schema hints from client errors in production. */
    reword: (formatted: GraphQLFormattedError): GraphQLFormattedError => (production ? withoutSuggestions(formatted) : formatted),
    /** Every error a client is sent, over HTTP or WebSocket: hints cut in production, anything unexpected masked. */
    formatError: (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError =>
      maskUnexpected(production ? withoutSuggestions(formatted) : formatted, error, log),
  };
}

export type Security = ReturnType<typeof createSecurity>;

/** Client errors pass through; anything unexpected is logged with the request id and masked. */
function maskUnexpected(formatted: GraphQLFormattedError, error: unknown, log: Logger): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && CLIENT_ERROR_CODES.has(code) && !leaksInternals(formatted, unwrapResolverError(error))) return formatted;
  const requestId = currentRequestId();
  log.error('unexpected error', { path: formatted.path, ...describeError(unwrapResolverError(error)) });
  return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } };
}
