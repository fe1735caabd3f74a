import type { ApolloServerPlugin } from '@apollo/server';
import { parse, validate, type GraphQLFormattedError, type GraphQLSchema, type ParseOptions, type Source, type ValidationRule } from 'graphql';
import type { Config } from '../config';
import { withoutSuggestions } from './errors';
import { apolloExposure, graphqlHttpGuards } from './http';
import { requestLimits, websocketValidationRules } from './request-limits';

export { leaksInternals } from './errors';

/**
 * Everything the service wires in to bound and guard requests, in one place: the Apollo options,
 * the WebSocket server's parse and validate, the Express guards in front of /graphql, and the
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
  const wsRules = websocketValidationRules(limits, production);
  return {
    apollo,
    plugins,
    websocket: {
      parse: (source: string | Source) => parse(source, limits.parseOptions),
      validate: (schema: GraphQLSchema, document: Parameters<typeof validate>[1]) => validate(schema, document, wsRules),
    },
    http: graphqlHttpGuards(config),
    /** Cuts schema hints from client errors in production. */
    reword: (formatted: GraphQLFormattedError): GraphQLFormattedError => (production ? withoutSuggestions(formatted) : formatted),
  };
}
