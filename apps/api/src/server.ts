import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { WebSocketServer } from 'ws';
import { createLogger, type ApiConfig, type Logger } from '@metamorph/config';
import { createPrismaClient } from '@metamorph/db';
import { createContext, type ApiContext, type ApiServices, type ApiSettings } from './context.js';
import { poolStats } from './data/pool.js';
import { formatApiError, toGraphQLError } from './errors.js';
import { EventHub } from './events/hub.js';
import { subscribeNodeEvents, type NodeEventsSubscription } from './events/node-events.js';
import { PoolStatsFeed } from './events/pool-stats-feed.js';
import { bodyErrors } from './http/body-errors.js';
import { cors } from './http/cors.js';
import { checkQueryLimits } from './limits.js';
import { buildSchema } from './schema/index.js';
import { serveGraphqlWs } from './ws.js';

export interface RunningApi {
  /** http://host:port/graphql */
  url: string;
  /** ws://host:port/graphql */
  wsUrl: string;
  port: number;
  services: ApiServices;
  /** Stop accepting work, end subscriptions, close every connection and pool. */
  stop(): Promise<void>;
}

const BODY_LIMIT = '64kb';

export function settingsOf(config: ApiConfig): ApiSettings {
  return {
    network: config.NETWORK,
    hashrateWindowSeconds: config.API_HASHRATE_WINDOW_SECONDS,
    workerOnlineSeconds: config.API_WORKER_ONLINE_SECONDS,
    maxPageSize: config.API_MAX_PAGE_SIZE,
    maxDepth: config.API_MAX_DEPTH,
    maxComplexity: config.API_MAX_COMPLEXITY,
  };
}

/** Apollo's logger interface on top of ours. */
function apolloLogger(logger: Logger) {
  const text = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  return {
    debug: (...a: unknown[]) => logger.debug(text(a)),
    info: (...a: unknown[]) => logger.info(text(a)),
    warn: (...a: unknown[]) => logger.warn(text(a)),
    error: (...a: unknown[]) => logger.error(text(a)),
  };
}

function listen(server: http.Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * The GraphQL API on one HTTP server: queries over POST/GET /graphql, subscriptions over
 * WebSocket on the same path, GET /health for load balancers.
 */
export async function startApiServer(config: ApiConfig, logger: Logger = createLogger('api', config.LOG_LEVEL)): Promise<RunningApi> {
  const db = createPrismaClient(config.DATABASE_URL);
  const settings = settingsOf(config);
  const hub = new EventHub();
  const stats = new PoolStatsFeed(() => poolStats(db, settings), config.API_STATS_INTERVAL_SECONDS * 1000, logger.child('stats'));
  const services: ApiServices = { db, settings, hub, stats, logger };
  const schema = buildSchema();

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  // Upgrades are routed by hand (noServer) so a listen error surfaces once, from listen() alone.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  httpServer.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/graphql') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const wsServer = serveGraphqlWs(wss, schema, services);

  const limitsPlugin: ApolloServerPlugin<ApiContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operationName, request }) {
          const overLimit = checkQueryLimits(schema, document, operationName, request.variables, settings);
          if (overLimit) throw toGraphQLError(overLimit);
        },
      };
    },
  };
  const apollo = new ApolloServer<ApiContext>({
    schema,
    introspection: true,
    // main.ts owns the signal handling (Apollo's own handlers would race it).
    stopOnTerminationSignals: false,
    logger: apolloLogger(logger.child('apollo')),
    formatError: (formatted, error) => formatApiError(formatted, error, logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 2_000 }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              stats.stop();
              hub.closeAll();
              await wsServer.dispose();
            },
          };
        },
      },
      limitsPlugin,
      ApolloServerPluginLandingPageDisabled(),
    ],
  });

  let events: NodeEventsSubscription | null = null;
  try {
    await apollo.start();
    app.get('/health', (_req, res) => {
      res.json({ status: 'ok' });
    });
    app.use('/graphql', cors(config.API_CORS_ORIGINS), express.json({ limit: BODY_LIMIT }), bodyErrors, expressMiddleware(apollo, { context: async () => createContext(services) }));
    events = await subscribeNodeEvents(config.REDIS_URL, config.REDIS_PREFIX, hub, logger.child('events'));
    const address = await listen(httpServer, config.API_PORT, config.API_HOST);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}/graphql`;
    logger.info('listening', { url, ws: url.replace(/^http/, 'ws') });
    let stopping: Promise<void> | null = null;
    const ev = events;
    return {
      url,
      wsUrl: url.replace(/^http/, 'ws'),
      port: address.port,
      services,
      stop() {
        stopping ??= (async () => {
          await apollo.stop();
          await ev.close();
          await db.$disconnect();
        })();
        return stopping;
      },
    };
  } catch (e) {
    await apollo.stop().catch(() => {});
    httpServer.close();
    await events?.close().catch(() => {});
    await db.$disconnect().catch(() => {});
    throw e;
  }
}
