import { P2PError, P2PErrorCode } from './errors.js';
import { formatHostPort } from './net-address.js';
import type { PeerManager } from './peer-manager.js';
import { RpcError, RpcErrorCode } from '../rpc/protocol.js';
import { LOCAL_SERVICES, PROTOCOL_VERSION } from './protocol.js';

/** SV Node 1.2.2's CLIENT_VERSION is 101020200; ours says which release of this node answers. */
export const NODE_CLIENT_VERSION = 100;

export type RpcHandler = (params: unknown[]) => unknown | Promise<unknown>;

const hex16 = (n: bigint) => n.toString(16).padStart(16, '0');
const seconds = (ms: number) => Math.floor(ms / 1000);

function str(params: unknown[], i: number, name: string, optional = false): string | undefined {
  const v = params[i];
  if (v === undefined || v === null) {
    if (optional) return undefined;
    throw new RpcError(RpcErrorCode.InvalidParams, `missing argument ${i + 1} (${name})`);
  }
  if (typeof v !== 'string') throw new RpcError(RpcErrorCode.MiscError, 'JSON value is not a string as expected');
  return v;
}

function int(params: unknown[], i: number, name: string): number | undefined {
  const v = params[i];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new RpcError(RpcErrorCode.MiscError, `JSON value is not an integer as expected (${name})`);
  return v;
}

function rethrow(e: unknown, code: RpcErrorCode): never {
  if (e instanceof P2PError) throw new RpcError(e.code === P2PErrorCode.InvalidAddress ? RpcErrorCode.ClientInvalidIpOrSubnet : code, e.message);
  throw e;
}

/**
 * The network RPC methods, with the reference node's names, arguments, result shapes
 * and error codes: getpeerinfo, getnetworkinfo, getconnectioncount, addnode,
 * disconnectnode, getaddednodeinfo, setban, listbanned, clearbanned, ping, getnettotals.
 */
export function p2pRpcMethods(manager: PeerManager): Record<string, RpcHandler> {
  return {
    getconnectioncount: () => manager.connectionCount(),

    getpeerinfo: () =>
      manager.peerInfo().map((p) => ({
        id: p.id,
        addr: formatHostPort(p.host, p.port),
        ...(p.addrLocal ? { addrlocal: p.addrLocal } : {}),
        services: hex16(p.services),
        relaytxes: p.relay,
        lastsend: seconds(p.lastSend),
        lastrecv: seconds(p.lastRecv),
        bytessent: p.bytesSent,
        bytesrecv: p.bytesRecv,
        associd: p.associationId,
        streampolicy: 'Default',
        authconn: p.authenticated,
        conntime: seconds(p.connectedAt),
        timeoffset: p.timeOffset,
        ...(p.pingMs !== undefined ? { pingtime: p.pingMs / 1000 } : {}),
        ...(p.minPingMs !== undefined ? { minping: p.minPingMs / 1000 } : {}),
        ...(p.pingWaitMs !== undefined ? { pingwait: p.pingWaitMs / 1000 } : {}),
        version: p.version,
        subver: p.userAgent,
        inbound: p.inbound,
        addnode: p.addnode,
        startingheight: p.startHeight,
        banscore: p.banScore,
        synced_headers: p.syncedHeaders,
        synced_blocks: p.syncedBlocks,
        inflight: p.inflight,
        whitelisted: p.whitelisted,
        bytessent_per_msg: p.bytesSentPerCommand,
        bytesrecv_per_msg: p.bytesRecvPerCommand,
      })),

    getnetworkinfo: () => ({
      version: NODE_CLIENT_VERSION,
      subversion: manager.opts.userAgent,
      protocolversion: PROTOCOL_VERSION,
      localservices: hex16(LOCAL_SERVICES),
      localrelay: manager.opts.relayTxs,
      timeoffset: medianOffset(manager.peerInfo().map((p) => p.timeOffset)),
      networkactive: true,
      connections: manager.connectionCount(),
      addresscount: manager.addresses.size,
      streampolicies: 'Default',
      networks: ['ipv4', 'ipv6', 'onion'].map((name) => ({
        name,
        limited: name === 'onion',
        reachable: name !== 'onion',
        proxy: '',
        proxy_randomize_credentials: false,
      })),
      relayfee: Number(manager.chain.minFeeRate?.() ?? 0n) / 1e8,
      localaddresses: manager.listenAddress ? [{ address: manager.listenAddress.host, port: manager.listenAddress.port, score: 1 }] : [],
      warnings: '',
    }),

    getnettotals: () => ({
      totalbytesrecv: manager.totalBytesRecv,
      totalbytessent: manager.totalBytesSent,
      timemillis: Date.now(),
    }),

    addnode: (params) => {
      const node = str(params, 0, 'node')!;
      const command = str(params, 1, 'command')!;
      if (command !== 'add' && command !== 'remove' && command !== 'onetry') {
        throw new RpcError(RpcErrorCode.InvalidParameter, 'command must be "add", "remove" or "onetry"');
      }
      try {
        manager.addNode(node, command);
      } catch (e) {
        if (e instanceof P2PError && e.code === P2PErrorCode.AlreadyConnected) throw new RpcError(RpcErrorCode.ClientNodeAlreadyAdded, e.message);
        if (e instanceof P2PError && e.code === P2PErrorCode.UnknownPeer) throw new RpcError(RpcErrorCode.ClientNodeNotAdded, e.message);
        rethrow(e, RpcErrorCode.InvalidParameter);
      }
      return null;
    },

    getaddednodeinfo: (params) => {
      const node = str(params, 0, 'node', true);
      const all = manager.addedNodes();
      const list = node === undefined ? all : all.filter((n) => n.node === node || n.node.startsWith(`${node}:`));
      if (node !== undefined && list.length === 0) throw new RpcError(RpcErrorCode.ClientNodeNotAdded, 'Error: Node has not been added.');
      return list.map((n) => ({ addednode: n.node, connected: n.connected, addresses: n.connected ? [{ address: n.node, connected: 'outbound' }] : [] }));
    },

    disconnectnode: (params) => {
      const address = str(params, 0, 'address', true);
      const id = int(params, 1, 'nodeid');
      let ok: boolean;
      if (address !== undefined && address !== '' && id === undefined) ok = manager.disconnect({ address });
      else if (id !== undefined && (address === undefined || address === '')) ok = manager.disconnect({ id });
      else throw new RpcError(RpcErrorCode.InvalidParameter, 'Only one of address and nodeid should be provided.');
      if (!ok) throw new RpcError(RpcErrorCode.ClientNodeNotConnected, 'Node not found in connected nodes');
      return null;
    },

    setban: async (params) => {
      const subnet = str(params, 0, 'subnet')!;
      const command = str(params, 1, 'command')!;
      if (command !== 'add' && command !== 'remove') throw new RpcError(RpcErrorCode.InvalidParameter, 'command must be "add" or "remove"');
      const bantime = int(params, 2, 'bantime');
      const absolute = params[3] === true;
      try {
        await manager.setBan(subnet, command, bantime, absolute);
      } catch (e) {
        if (e instanceof P2PError && e.code === P2PErrorCode.AlreadyConnected) throw new RpcError(RpcErrorCode.ClientNodeAlreadyAdded, e.message);
        if (e instanceof P2PError && e.code === P2PErrorCode.UnknownPeer) {
          throw new RpcError(RpcErrorCode.ClientInvalidIpOrSubnet, 'Error: Unban failed. Requested address/subnet was not previously banned.');
        }
        if (e instanceof P2PError) throw new RpcError(RpcErrorCode.ClientInvalidIpOrSubnet, 'Error: Invalid IP/Subnet');
        throw e;
      }
      return null;
    },

    listbanned: () =>
      manager.listBanned().map((b) => ({
        address: b.subnet.includes('/') ? b.subnet : `${b.subnet}/${b.subnet.includes(':') ? 128 : 32}`,
        banned_until: seconds(b.bannedUntil),
        ban_created: seconds(b.createdAt),
        ban_reason: b.reason === 'manually added' ? 'manually added' : 'node misbehaving',
      })),

    clearbanned: async () => {
      await manager.bans.clear();
      return null;
    },

    ping: () => {
      manager.pingAll();
      return null;
    },
  };
}

function medianOffset(offsets: number[]): number {
  if (offsets.length < 5) return 0;
  const s = [...offsets].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
