import { BitcoinError, addressToScript, parseAddress, type ChainParams } from '@metamorph/bitcoin';
import { StratumAppError, StratumAppErrorCode } from './errors.js';

/**
 * The address a coinbase pays to or a miner authorizes with, checked for the network: P2PKH only
 * (a coinbase output to P2SH is refused by the node after Genesis).
 */
export function parseP2pkhAddress(text: string, network: ChainParams, field = 'address'): { hash160: Uint8Array; script: Uint8Array } {
  let address;
  try {
    address = parseAddress(text, network);
  } catch (e) {
    if (!(e instanceof BitcoinError)) throw e;
    throw new StratumAppError(StratumAppErrorCode.InvalidAddress, `"${text}" is not a ${network.name} address: ${e.message.replace(/^address: /, '')}`, field);
  }
  if (address.kind !== 'p2pkh') {
    throw new StratumAppError(StratumAppErrorCode.InvalidAddress, `"${text}" is a P2SH address; only P2PKH addresses can be paid by a coinbase`, field);
  }
  return { hash160: address.hash160, script: addressToScript(address) };
}
