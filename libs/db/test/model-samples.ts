import assert from 'node:assert/strict';
import { Prisma, type PrismaClient } from '@metamorph/db';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

/**
 * One write-then-read round trip per model, run in this order against a fresh database.
 * Each sample writes every scalar field and asserts what comes back is equal.
 */
export const modelSamples = {
  async BlockIndex(db: PrismaClient) {
    const row = {
      hash: bytes(32, 1),
      height: 1,
      prevHash: bytes(32, 0),
      version: 0x20000000,
      merkleRoot: bytes(32, 2),
      time: 4_294_967_295n,
      bits: 0x207fffffn,
      nonce: 4_294_967_295n,
      chainWork: bytes(32, 3),
      header: bytes(80, 4),
      status: 'VALID' as const,
      txCount: 1,
      size: 285,
      receivedAt: new Date('2026-01-01T00:00:00.123Z'),
    };
    await db.blockIndex.create({ data: row });
    const back = await db.blockIndex.findUniqueOrThrow({ where: { hash: row.hash } });
    assert.deepEqual({ ...back, hash: new Uint8Array(back.hash), prevHash: new Uint8Array(back.prevHash), merkleRoot: new Uint8Array(back.merkleRoot), chainWork: new Uint8Array(back.chainWork), header: new Uint8Array(back.header) }, row);
  },
  async BlockData(db: PrismaClient) {
    await db.blockData.create({ data: { hash: bytes(32, 1), raw: bytes(1000, 9) } });
    const back = await db.blockData.findUniqueOrThrow({ where: { hash: bytes(32, 1) } });
    assert.equal(back.raw.length, 1000);
  },
  async MainChain(db: PrismaClient) {
    await db.mainChain.create({ data: { height: 1, hash: bytes(32, 1) } });
    assert.equal((await db.mainChain.findUniqueOrThrow({ where: { height: 1 } })).hash.length, 32);
  },
  async Utxo(db: PrismaClient) {
    const row = { txid: bytes(32, 5), vout: 2_147_483_647, value: 2_100_000_000_000_000n, script: bytes(25, 0x76), height: 1_000_000, coinbase: true };
    await db.utxo.create({ data: row });
    const back = await db.utxo.findUniqueOrThrow({ where: { txid_vout: { txid: row.txid, vout: row.vout } } });
    assert.deepEqual({ ...back, txid: new Uint8Array(back.txid), script: new Uint8Array(back.script) }, row);
  },
  async BlockUndo(db: PrismaClient) {
    await db.blockUndo.create({ data: { hash: bytes(32, 1), height: 1, data: bytes(100, 3) } });
    const back = await db.blockUndo.findUniqueOrThrow({ where: { hash: bytes(32, 1) } });
    assert.equal(back.data.length, 100);
    assert.equal(back.height, 1);
  },
  async TxIndex(db: PrismaClient) {
    const row = { txid: bytes(32, 6), blockHash: bytes(32, 1), height: 1, position: 3, offset: 81, size: 191 };
    await db.txIndex.create({ data: row });
    const back = await db.txIndex.findUniqueOrThrow({ where: { txid: row.txid } });
    assert.deepEqual({ ...back, txid: new Uint8Array(back.txid), blockHash: new Uint8Array(back.blockHash) }, row);
  },
  async AddressHistory(db: PrismaClient) {
    const row = { hash160: bytes(20, 8), height: 7, position: 1, isSpend: true, n: 0, txid: bytes(32, 6), value: -5_000_000_000n };
    await db.addressHistory.create({ data: row });
    const back = await db.addressHistory.findFirstOrThrow({ where: { hash160: row.hash160 } });
    assert.deepEqual({ ...back, hash160: new Uint8Array(back.hash160), txid: new Uint8Array(back.txid) }, row);
  },
  async AddressBalance(db: PrismaClient) {
    await db.addressBalance.create({ data: { hash160: bytes(20, 8), balance: 0n, received: 5_000_000_000n, entries: 2 } });
    const back = await db.addressBalance.findUniqueOrThrow({ where: { hash160: bytes(20, 8) } });
    assert.equal(back.received, 5_000_000_000n);
    assert.equal(back.entries, 2);
  },
  async BlockStats(db: PrismaClient) {
    const row = { hash: bytes(32, 1), height: 1, txCount: 3, size: 600, totalFee: 1_000n, feeRateMin: 1n, feeRateP10: 2n, feeRateMedian: 500n, feeRateP90: 9_000_000_000n };
    await db.blockStats.create({ data: row });
    const back = await db.blockStats.findUniqueOrThrow({ where: { hash: row.hash } });
    assert.deepEqual({ ...back, hash: new Uint8Array(back.hash) }, row);
  },
  async MempoolTx(db: PrismaClient) {
    const row = { txid: bytes(32, 9), raw: bytes(191, 1), fee: 1n, size: 191, height: 101, seq: 9_007_199_254_740_993n, enteredAt: new Date('2026-01-01T00:00:00.123Z') };
    await db.mempoolTx.create({ data: row });
    const back = await db.mempoolTx.findUniqueOrThrow({ where: { txid: row.txid } });
    assert.deepEqual({ ...back, txid: new Uint8Array(back.txid), raw: new Uint8Array(back.raw) }, row);
  },
  async DoubleSpend(db: PrismaClient) {
    const d = await db.doubleSpend.create({
      data: { kind: 'BLOCK', txid: bytes(32, 9), raw: bytes(191, 1), conflictTxid: bytes(32, 10), prevTxid: bytes(32, 5), prevVout: 1, blockHash: bytes(32, 1), source: 'p2p' },
    });
    const back = await db.doubleSpend.findUniqueOrThrow({ where: { id: d.id } });
    assert.equal(back.kind, 'BLOCK');
    assert.equal(back.prevVout, 1);
    assert.equal(new Uint8Array(back.blockHash!).length, 32);
  },
  async Miner(db: PrismaClient) {
    const m = await db.miner.create({ data: { address: 'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn' } });
    assert.equal((await db.miner.findUniqueOrThrow({ where: { id: m.id } })).address, 'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn');
  },
  async Worker(db: PrismaClient) {
    const miner = await db.miner.findFirstOrThrow();
    const w = await db.worker.create({ data: { minerId: miner.id, name: 'rig1', lastShareAt: new Date() } });
    assert.equal((await db.worker.findUniqueOrThrow({ where: { id: w.id }, include: { miner: true } })).miner.id, miner.id);
  },
  async Share(db: PrismaClient) {
    const worker = await db.worker.findFirstOrThrow();
    const s = await db.share.create({
      data: {
        shareKey: 'job1:00000001:0000000000000001:5f5e1000:00000001:20000000',
        workerId: worker.id,
        jobId: 'job1',
        difficulty: new Prisma.Decimal('0.000244140625'),
        actualDifficulty: new Prisma.Decimal('123456789012345678901234.5'),
        height: 101,
        isBlock: true,
        submittedAt: new Date(),
      },
    });
    const back = await db.share.findUniqueOrThrow({ where: { id: s.id } });
    assert.equal(back.difficulty.toString(), '0.000244140625');
    assert.equal(back.actualDifficulty.toString(), '1.234567890123456789012345e+23');
  },
  async ShareRollup(db: PrismaClient) {
    const worker = await db.worker.findFirstOrThrow();
    const minute = new Date('2026-01-01T00:01:00Z');
    await db.shareRollup.create({ data: { workerId: worker.id, minute, shares: 3, difficultySum: new Prisma.Decimal('1.5') } });
    const back = await db.shareRollup.findUniqueOrThrow({ where: { workerId_minute: { workerId: worker.id, minute } } });
    assert.equal(back.difficultySum.toString(), '1.5');
  },
  async FoundBlock(db: PrismaClient) {
    const worker = await db.worker.findFirstOrThrow();
    const checkedAt = new Date('2026-11-24T03:00:00.789Z');
    await db.foundBlock.create({ data: { hash: bytes(32, 7), height: 101, workerId: worker.id, reward: 5_000_000_000n, status: 'ACCEPTED', submitResult: null, confirmations: 3, checkedAt } });
    const back = await db.foundBlock.findUniqueOrThrow({ where: { hash: bytes(32, 7) } });
    assert.equal(back.reward, 5_000_000_000n);
    assert.equal(back.status, 'ACCEPTED');
    assert.equal(back.confirmations, 3);
    assert.deepEqual(back.checkedAt, checkedAt);
    const fresh = await db.foundBlock.create({ data: { hash: bytes(32, 8), height: 102, reward: 1n } });
    assert.equal(fresh.confirmations, 0);
    assert.equal(fresh.checkedAt, null);
  },
  async P2pBan(db: PrismaClient) {
    const row = { subnet: '10.0.0.0/8', bannedUntil: new Date('2026-11-25T00:00:00.123Z'), reason: 'misbehaviour: high-hash', createdAt: new Date('2026-11-24T00:00:00.456Z') };
    await db.p2pBan.create({ data: row });
    assert.deepEqual(await db.p2pBan.findUniqueOrThrow({ where: { subnet: row.subnet } }), row);
  },
  async P2pAddress(db: PrismaClient) {
    const row = {
      host: '2001:db8::1',
      port: 8333,
      services: 0x21n,
      lastSeen: new Date('2026-11-24T01:00:00.000Z'),
      lastTry: new Date('2026-11-24T02:00:00.000Z'),
      lastSuccess: null,
      attempts: 2,
      source: 'addr',
    };
    await db.p2pAddress.create({ data: row });
    assert.deepEqual(await db.p2pAddress.findUniqueOrThrow({ where: { host_port: { host: row.host, port: row.port } } }), row);
  },
} satisfies Record<string, (db: PrismaClient) => Promise<void>>;
