import { chainParams, NETWORK_NAMES, NETWORKS, type ChainParams, type NetworkName } from '../params.js';

export type NetworkLike = NetworkName | ChainParams;

export function resolveNetwork(network: NetworkLike): ChainParams {
  return typeof network === 'string' ? chainParams(network) : network;
}

type PrefixKind = keyof ChainParams['base58'];

/** Names of the networks using `version` as their `kind` prefix, e.g. "testnet/regtest". */
export function networksWithPrefix(kind: PrefixKind, version: number): string {
  return NETWORK_NAMES.filter((n) => NETWORKS[n].base58[kind] === version).join('/');
}

export function hex2(b: number): string {
  return `0x${b.toString(16).padStart(2, '0')}`;
}
