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
    await db.foundBlock.create({ data: { hash: bytes(32, 7), height: 101, workerId: worker.id, reward: 5_000_000_000n, status: 'ACCEPTED', submitResult: null } });
    const back = await db.foundBlock.findUniqueOrThrow({ where: { hash: bytes(32, 7) } });
    assert.equal(back.reward, 5_000_000_000n);
    assert.equal(back.status, 'ACCEPTED');
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
