import { p2pRpcMethods } from '../../p2p/rpc.js';
import type { RpcContext, RpcMethod } from '../registry.js';
import { RpcError, RpcErrorCode } from '../protocol.js';

type Spec = Pick<RpcMethod, 'name' | 'argNames' | 'minParams' | 'maxParams' | 'help'>;

const SPECS: Spec[] = [
  { name: 'getconnectioncount', argNames: [], minParams: 0, maxParams: 0, help: 'getconnectioncount\n\nReturns the number of connections to other nodes.\n\nResult:\nn          (numeric) The connection count' },
  { name: 'getpeerinfo', argNames: [], minParams: 0, maxParams: 0, help: 'getpeerinfo\n\nReturns data about each connected network node as a json array of objects.' },
  { name: 'getnetworkinfo', argNames: [], minParams: 0, maxParams: 0, help: 'getnetworkinfo\nReturns an object containing various state info regarding P2P networking.' },
  { name: 'getnettotals', argNames: [], minParams: 0, maxParams: 0, help: 'getnettotals\n\nReturns information about network traffic, including bytes in, bytes out, and current time.' },
  {
    name: 'addnode',
    argNames: ['node', 'command'],
    minParams: 2,
    maxParams: 2,
    help: 'addnode "node" "add|remove|onetry"\n\nAttempts add or remove a node from the addnode list.\nOr try a connection to a node once.\n\nArguments:\n1. "node"     (string, required) The node (see getpeerinfo for nodes)\n2. "command"  (string, required) \'add\' to add a node to the list, \'remove\' to remove a node from the list, \'onetry\' to try a connection to the node once',
  },
  { name: 'getaddednodeinfo', argNames: ['node'], minParams: 0, maxParams: 1, help: 'getaddednodeinfo ( "node" )\n\nReturns information about the given added node, or all added nodes\n(note that onetry addnodes are not listed here)' },
  {
    name: 'disconnectnode',
    argNames: ['address', 'nodeid'],
    minParams: 1,
    maxParams: 2,
    help: 'disconnectnode "[address]" [nodeid]\n\nImmediately disconnects from the specified peer node.\n\nStrictly one out of \'address\' and \'nodeid\' can be provided to identify the node.',
  },
  { name: 'setban', argNames: ['subnet', 'command', 'bantime', 'absolute'], minParams: 2, maxParams: 4, help: 'setban "subnet" "add|remove" (bantime) (absolute)\n\nAttempts add or remove a IP/Subnet from the banned list.' },
  { name: 'listbanned', argNames: [], minParams: 0, maxParams: 0, help: 'listbanned\n\nList all banned IPs/Subnets.' },
  { name: 'clearbanned', argNames: [], minParams: 0, maxParams: 0, help: 'clearbanned\n\nClear all banned IPs.' },
  { name: 'ping', argNames: [], minParams: 0, maxParams: 0, help: 'ping\n\nRequests that a ping be sent to all other nodes, to measure ping time.' },
];

/** The network methods, answered by the P2P layer (src/p2p/rpc.ts). */
export const networkMethods: RpcMethod[] = SPECS.map((spec) => ({
  ...spec,
  category: 'network',
  handler: async (params: unknown[], ctx: RpcContext) => {
    if (!ctx.p2p) throw new RpcError(RpcErrorCode.ClientP2PDisabled, 'Error: Peer-to-peer functionality missing or disabled');
    return p2pRpcMethods(ctx.p2p)[spec.name](params);
  },
}));
