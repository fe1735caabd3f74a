import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError, GraphQLSchema, ParseOptions, ValidationRule } from 'graphql';
import type { Config } from '../config';
import { withoutSuggestions } from './errors';
import { apolloExposure, graphqlHttpGuards } from './http';
import { requestLimits, websocketLimits } from './request-limits';

export { leaksInternals } from './errors';

/**
 * Everything the service wires in to bound and guard requests, in one place: the Apollo options,
 * the WebSocket server's checks of each subscription, the Express guards in front of /graphql, and the
 * production rewording of errors.
 */
export function createSecurity(config: Config) {
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
    /** The WebSocket server's schema and its limits on each subscription. */
    websocket: (schema: GraphQLSchema) => websocketLimits(schema, config.security, limits, production),
    http: graphqlHttpGuards(config),
    /** Cuts schema hints from client errors in production. */
    reword: (formatted: GraphQLFormattedError): GraphQLFormattedError => (production ? withoutSuggestions(formatted) : formatted),
  };
}
