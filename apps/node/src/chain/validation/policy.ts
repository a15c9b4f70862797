import { decodeCoinbaseHeight } from '@metamorph/bitcoin';
import type { ParsedBlock } from '../parsed-block.js';
import { reject, type Rejection } from './rejection.js';

/**
 * Our own rule for blocks submitted over RPC (not consensus, so never applied to peers' blocks):
 * where BIP34 is not enforced (regtest), a coinbase that starts with a well-formed height push
 * must push this block's height. Templates always put it there; a different number means the
 * miner built on the wrong template.
 */
export function checkSubmittedBlockPolicy(p: ParsedBlock, height: number): Rejection | null {
  const pushed = leadingHeight(p.block.txs[0].inputs[0].script);
  if (pushed !== undefined && pushed !== height) {
    return reject('bad-cb-height', `coinbase pushes height ${pushed}, the block's height is ${height}`);
  }
  return null;
}

/** The height a scriptSig's first push holds, minimal or not; undefined when it starts with anything else. */
export function leadingHeight(scriptSig: Uint8Array): number | undefined {
  try {
    return decodeCoinbaseHeight(scriptSig).height;
  } catch {
    return undefined;
  }
}
