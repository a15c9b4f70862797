import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HEADER_SIZE,
  blockHash,
  chainWork,
  checkProofOfWork,
  decodeBlockHeader,
  fromHex,
  getNextWorkRequired,
  hashEquals,
  hashToHex,
  headerInfos,
  arrayChainView,
  mainnet,
  regtest,
  testnet,
  Reader,
  blockHeaderCodec,
  type BlockHeader,
  type ChainParams,
  type ChainView,
  type HeaderInfo,
} from '../src/index.js';
import { readFixture, readVectorJson, VECTOR_SHA256 } from './codec-support.js';

function parseHeaders(bytes: Uint8Array): BlockHeader[] {
  assert.equal(bytes.length % HEADER_SIZE, 0);
  const out: BlockHeader[] = [];
  for (let i = 0; i < bytes.length; i += HEADER_SIZE) out.push(decodeBlockHeader(bytes.subarray(i, i + HEADER_SIZE)));
  return out;
}

function assertLinked(headers: BlockHeader[], params: ChainParams): void {
  for (let i = 0; i < headers.length; i++) {
    if (i > 0) assert.ok(hashEquals(headers[i].prevHash, blockHash(headers[i - 1])), `link at ${i}`);
    assert.ok(checkProofOfWork(blockHash(headers[i]), headers[i].bits, params.powLimit), `proof of work at ${i}`);
  }
}

/** Checks every header whose rules can be evaluated from the ones before it; returns how many. */
function checkAll(headers: BlockHeader[], firstHeight: number, params: ChainParams, from: number): number {
  const infos = headerInfos(headers, firstHeight);
  const view = arrayChainView(infos);
  let checked = 0;
  for (let i = from; i < headers.length; i++) {
    const got = getNextWorkRequired(infos[i - 1], headers[i].time, view, params);
    assert.equal(got.toString(16), headers[i].bits.toString(16), `nBits of block ${firstHeight + i}`);
    checked++;
  }
  return checked;
}

test('DAA on real mainnet headers 886,001–888,000: every nBits reproduced', () => {
  const headers = parseHeaders(readFixture('mainnet-headers-886001-888000.bin', '106deacffa0eba0db49f814f1c3672222a81f792e514bf343478dcf055385bd9'));
  assert.equal(headers.length, 2000);
  assertLinked(headers, mainnet);
  assert.equal(hashToHex(headers[0].prevHash), '000000000000000006ad0d00957e60e47d6fd909e7862b9af6eeb190f7d6e67f');
  assert.equal(hashToHex(blockHash(headers[1999])), '000000000000000004026d10802cf1132fc67cc7a0c340eb4686869edaf48f38');
  // The DAA reads back to height − 146: the first 146 headers only feed the window.
  const checked = checkAll(headers, 886001, mainnet, 147);
  assert.equal(checked, 1853);
  assert.ok(new Set(headers.map((h) => h.bits)).size > 100, 'the difficulty moves block to block');
});

test('testnet headers 1,602,530–1,602,710: DAA and the 20-minute minimum-difficulty blocks reproduced', () => {
  const headers = parseHeaders(readFixture('testnet-headers-1602530-1602710.bin', 'bb0f4db69dd334354cc4a59912e94549dffe1437ad16f373c525f85959f776c1'));
  assertLinked(headers, testnet);
  const minimum = headers.slice(147).filter((h) => h.bits === testnet.powLimitBits).length;
  assert.equal(minimum, 8);
  assert.equal(checkAll(headers, 1602530, testnet, 147), 34);
});

test('real mainnet headers: the EDA at 478,577 and the legacy retarget at 479,808', () => {
  const fixture = JSON.parse(
    new TextDecoder().decode(readFixture('mainnet-headers-eda-retarget.json', '362d0663de94d0c8a82f3b380d0496fc6653bca31c9c1e43f8d26207a335c436')),
  ) as { headers: Record<string, string> };
  const byHeight = new Map<number, BlockHeader>();
  for (const [h, hex] of Object.entries(fixture.headers)) byHeight.set(Number(h), decodeBlockHeader(fromHex(hex)));
  for (const [h, header] of byHeight) {
    const parent = byHeight.get(h - 1);
    if (parent) assert.ok(hashEquals(header.prevHash, blockHash(parent)), `link at ${h}`);
  }
  // The August 2017 fork block is one of the reference node's checkpoints.
  assert.deepEqual(blockHash(byHeight.get(478558)!), mainnet.checkpoints.find((c) => c.height === 478558)!.hash);
  const infos = new Map<number, HeaderInfo>();
  for (const [h, header] of byHeight) infos.set(h, { height: h, time: header.time, bits: header.bits, chainWork: 0n });
  const view: ChainView = { at: (h) => infos.get(h) };
  const next = (h: number) => getNextWorkRequired(infos.get(h - 1)!, byHeight.get(h)!.time, view, mainnet);
  // Ten blocks at the old difficulty while the six-block median-time-past span stays under 12 hours…
  for (let h = 478567; h <= 478576; h++) assert.equal(next(h), 0x18014735, `block ${h}`);
  // …then the emergency adjustment: target + target/4.
  assert.equal(next(478577), 0x18019902);
  assert.equal(byHeight.get(478577)!.bits, 0x18019902);
  // 479,808 = 238 × 2016: the 2016-block retarget from block 477,792's time.
  assert.equal(next(479808), 0x18101dcc);
  assert.equal(byHeight.get(479808)!.bits, 0x18101dcc);
});

test('real regtest headers from SV Node: no retargeting, and chainwork 0xde at height 110', () => {
  const capture = readVectorJson<{ messages: { command: string; payload: string }[] }>('p2p_regtest_capture.json', VECTOR_SHA256.p2p_regtest_capture);
  const msg = capture.messages.find((m) => m.command === 'headers' && m.payload.length > 1000)!;
  const r = new Reader(fromHex(msg.payload));
  const n = r.compactSize();
  const headers: BlockHeader[] = [];
  for (let i = 0; i < n; i++) {
    headers.push(blockHeaderCodec.decode(r));
    assert.equal(r.compactSize(), 0); // a headers entry carries a zero transaction count
  }
  r.end();
  assert.equal(headers.length, 110);
  assert.ok(hashEquals(headers[0].prevHash, regtest.genesisHash));
  assertLinked(headers, regtest);
  const infos = headerInfos([regtest.genesis.header, ...headers], 0);
  const view = arrayChainView(infos);
  for (let h = 1; h <= 110; h++) assert.equal(getNextWorkRequired(infos[h - 1], headers[h - 1].time, view, regtest), headers[h - 1].bits);
  assert.equal(infos[110].chainWork, 0xden);
  assert.equal(chainWork(infos.map((i) => i.bits)), 0xden);
});
