import type { Hash32 } from '@metamorph/bitcoin';
import type { P2PMempool } from '../p2p/chain-service-adapter.js';
import type { AcceptTxResult } from '../p2p/chain.js';
import type { MempoolEntry, TxSource } from './entry.js';
import type { Mempool } from './mempool.js';

/**
 * The mempool as the P2P layer sees it: peers' transactions go through the same acceptance
 * as RPC ones (source `p2p`), and what enters — from peers, RPC or a reorganisation — is
 * offered for relay. Transactions reloaded at start are not announced again.
 */
export function mempoolForP2P(mempool: Mempool): P2PMempool {
  return {
    async hasTransaction(txid: Hash32): Promise<boolean> {
      return mempool.has(txid);
    },
    async getTransactionRaw(txid: Hash32): Promise<Uint8Array | undefined> {
      return mempool.get(txid)?.raw;
    },
    async acceptTransaction(raw: Uint8Array): Promise<AcceptTxResult> {
      const r = await mempool.acceptTransaction(raw, 'p2p');
      if (r.accepted) return { accepted: true };
      return { accepted: false, reason: r.rejection.reason, banScore: r.rejection.banScore };
    },
    async mempoolTxids(): Promise<Hash32[]> {
      return mempool.txids();
    },
    minFeeRate(): bigint {
      return mempool.currentMinFee();
    },
    onTransaction(listener: (txid: Hash32, raw: Uint8Array, fee?: bigint) => void): () => void {
      const onAccepted = (e: MempoolEntry, source: TxSource) => {
        if (source !== 'restart') listener(e.txid, e.raw, e.fee);
      };
      mempool.on('accepted', onAccepted);
      return () => mempool.off('accepted', onAccepted);
    },
  };
}
