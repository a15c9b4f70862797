import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { WebSocketServer } from 'ws';
import { createContext, type ApiServices } from './context.js';
import { formatApiError, toGraphQLError } from './errors.js';
import { checkQueryLimits } from './limits.js';

/**
 * GraphQL over WebSocket (the graphql-ws protocol) on the same server and path as HTTP,
 * with the same validation, limits and error formatting.
 */
export function serveGraphqlWs(wss: WebSocketServer, schema: GraphQLSchema, services: ApiServices) {
  const { logger, settings } = services;
  return useServer(
    {
      schema,
      onSubscribe(_ctx, _id, payload) {
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (e) {
          const err = e as GraphQLError;
          return [new GraphQLError(err.message, { source: err.source, positions: err.positions, extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const invalid = validate(schema, document);
        if (invalid.length) {
          return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        }
        const overLimit = checkQueryLimits(schema, document, payload.operationName, payload.variables, settings);
        if (overLimit) return [toGraphQLError(overLimit)];
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: createContext(services),
        };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatApiError(e.toJSON(), e, logger)),
      onNext(_ctx, _id, _payload, _args, result) {
        if (!result.errors?.length) return;
        return { ...result, errors: result.errors.map((e) => formatApiError(e.toJSON(), e, logger)) };
      },
    },
    wss,
  );
}
