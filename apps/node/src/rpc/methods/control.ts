import type { RpcMethod } from '../registry.js';
import { getStr } from '../params.js';

export const controlMethods: RpcMethod[] = [
  {
    name: 'help',
    category: 'control',
    argNames: ['command'],
    minParams: 0,
    maxParams: 1,
    help: 'help ( "command" )\n\nLists all commands, or shows the help of one.\n\nArguments:\n1. "command"   (string, optional) the command to explain\n\nResult:\n"text"   (string) the help text',
    handler: (params, ctx) => ctx.registry.help(params.length > 0 ? getStr(params[0]) : ''),
  },
  {
    name: 'stop',
    category: 'control',
    argNames: [],
    minParams: 0,
    maxParams: 1,
    help: 'stop\n\nStops the node.',
    handler: (_params, ctx) => {
      ctx.log.info('received RPC call stop()');
      // Reply first, then stop.
      setImmediate(() => ctx.requestStop());
      return 'Metamorph node stopping';
    },
  },
  {
    name: 'uptime',
    category: 'control',
    argNames: [],
    minParams: 0,
    maxParams: 1,
    help: 'uptime\n\nReturns how long the node has been running.\n\nResult:\nttt   (numeric) seconds since the node started',
    handler: (_params, ctx) => Math.floor((Date.now() - ctx.startedAt) / 1000),
  },
];
