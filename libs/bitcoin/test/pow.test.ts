import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BitcoinErrorCode as C,
  blockProof,
  calculateNextWorkRequired,
  computeDaaTarget,
  decodeCompact,
  encodeCompact,
  getNextCashWorkRequired,
  getNextWorkRequired,
  mainnet,
  medianTimePast,
  regtest,
  suitableBlock,
  testnet,
  type ChainParams,
  type ChainView,
  type HeaderInfo,
} from '../src/index.js';
import { throwsCode } from './codec-support.js';

/** A synthetic chain from a genesis block, as the reference node's pow_tests build one. */
class Chain {
  readonly blocks: HeaderInfo[];
  readonly view: ChainView = { at: (h) => this.blocks[h] };
  constructor(time: number, bits: number) {
    this.blocks = [{ height: 0, time, bits, chainWork: blockProof(bits) }];
  }
  get tip(): HeaderInfo {
    return this.blocks[this.blocks.length - 1];
  }
  add(interval: number, bits: number): HeaderInfo {
    const prev = this.tip;
    const b = { height: prev.height + 1, time: prev.time + interval, bits, chainWork: prev.chainWork + blockProof(bits) };
    this.blocks.push(b);
    return b;
  }
  next(params: ChainParams, blockTime = 0): number {
    return getNextWorkRequired(this.tip, blockTime, this.view, params);
  }
}

const info = (height: number, time: number, bits: number): HeaderInfo => ({ height, time, bits, chainWork: 0n });

test('genesis takes the proof-of-work limit', () => {
  const none: ChainView = { at: () => undefined };
  assert.equal(getNextWorkRequired(null, 0, none, mainnet), 0x1d00ffff);
  assert.equal(getNextWorkRequired(null, 0, none, regtest), 0x207fffff);
});

test('regtest never retargets, whatever the timestamps or the height', () => {
  const chain = new Chain(1296688602, 0x207fffff);
  for (let i = 1; i <= 2100; i++) chain.add(i % 7 === 0 ? 50_000 : 1, i === 1500 ? 0x1e00ffff : chain.tip.bits);
  for (const h of [0, 1, 2014, 2015, 2016, 2100]) {
    const prev = chain.blocks[h];
    assert.equal(getNextWorkRequired(prev, prev.time + 100_000, chain.view, regtest), prev.bits, `height ${h + 1}`);
  }
  assert.equal(calculateNextWorkRequired(chain.tip, 0, regtest), chain.tip.bits);
});

test('legacy 2016-block retarget: the reference node\'s real mainnet cases', () => {
  // CalculateNextWorkRequired(last block of the interval, time of its first block).
  assert.equal(calculateNextWorkRequired(info(32255, 1262152739, 0x1d00ffff), 1261130161, mainnet), 0x1d00d86a);
  // Capped at the proof-of-work limit.
  assert.equal(calculateNextWorkRequired(info(2015, 1233061996, 0x1d00ffff), 1231006505, mainnet), 0x1d00ffff);
  // Timespan clamped below at a quarter…
  assert.equal(calculateNextWorkRequired(info(68543, 1279297671, 0x1c05a3f4), 1279008237, mainnet), 0x1c0168fd);
  // …and above at four times.
  assert.equal(calculateNextWorkRequired(info(46367, 1269211443, 0x1c387f6f), 1263163443, mainnet), 0x1d00e1fd);
});

test('legacy retarget through getNextWorkRequired at a 2016 boundary, checked by hand', () => {
  // An interval mined in exactly half the target timespan halves the target.
  const bits = 0x1c0fffff;
  const chain = new Chain(1_500_000_000, bits);
  for (let i = 1; i < 2016; i++) chain.add(300, bits);
  const next = chain.next(mainnet);
  const expected = (decodeCompact(bits).target * BigInt(2015 * 300)) / BigInt(14 * 24 * 3600);
  assert.equal(next, encodeCompact(expected));
  // Between boundaries with regular blocks the bits carry over.
  chain.add(600, next);
  assert.equal(chain.next(mainnet), next);
});

test('EDA: the reference node\'s retargeting_test (20% easier after six blocks take 12 hours)', () => {
  let pow = mainnet.powLimit >> 1n;
  const initialBits = encodeCompact(pow);
  const chain = new Chain(1269211443, initialBits);
  for (let i = 1; i < 100; i++) chain.add(600, initialBits);
  // Two-hour blocks: the first ten keep the median-time-past span under 12 hours.
  for (let i = 100; i < 110; i++) {
    chain.add(2 * 3600, initialBits);
    assert.equal(chain.next(mainnet), initialBits, `block ${i + 1}`);
  }
  const step = () => {
    pow = decodeCompact(encodeCompact(pow)).target;
    pow += pow >> 2n;
    return encodeCompact(pow);
  };
  chain.add(2 * 3600, initialBits);
  let expected = step();
  assert.equal(chain.next(mainnet), expected);
  for (let k = 0; k < 2; k++) {
    chain.add(2 * 3600, expected);
    expected = step();
    assert.equal(chain.next(mainnet), expected);
  }
  // Never easier than the limit, and it stays there.
  chain.add(2 * 3600, expected);
  expected = step();
  assert.notEqual(expected, mainnet.powLimitBits);
  assert.equal(chain.next(mainnet), mainnet.powLimitBits);
  chain.add(2 * 3600, expected);
  assert.equal(chain.next(mainnet), mainnet.powLimitBits);
});

test('DAA: the reference node\'s cash_difficulty_test, value for value', () => {
  const initialBits = encodeCompact(mainnet.powLimit >> 4n);
  const chain = new Chain(1269211443, initialBits);
  for (let i = 1; i < 2050; i++) chain.add(600, initialBits);
  const cash = () => getNextCashWorkRequired(chain.tip, 0, chain.view, mainnet);
  const target = (bits: number) => decodeCompact(bits).target;

  let bits = cash();
  for (let j = 0; j < 10; j++) {
    chain.add(600, bits);
    assert.equal(cash(), bits, 'steady at one block per 10 minutes');
  }
  // A block far in the future, then one pulling the time back, change nothing.
  chain.add(6000, bits);
  assert.equal(cash(), bits);
  chain.add(2 * 600 - 6000, bits);
  assert.equal(cash(), bits);
  for (let j = 0; j < 20; j++) {
    chain.add(600, bits);
    assert.equal(cash(), bits);
  }
  // Slightly faster blocks: the first has no effect, then the difficulty rises slowly.
  chain.add(550, bits);
  assert.equal(cash(), bits);
  for (let j = 0; j < 10; j++) {
    chain.add(550, bits);
    const next = cash();
    assert.ok(target(next) < target(bits));
    assert.ok(target(bits) - target(next) < target(bits) >> 10n);
    bits = next;
  }
  assert.equal(bits, 0x1c0fe7b1);
  // Much faster blocks: it rises faster.
  for (let j = 0; j < 20; j++) {
    chain.add(10, bits);
    const next = cash();
    assert.ok(target(next) < target(bits));
    assert.ok(target(bits) - target(next) < target(bits) >> 4n);
    bits = next;
  }
  assert.equal(bits, 0x1c0db19f);
  // Much slower blocks: it falls.
  chain.add(6000, bits);
  bits = cash();
  assert.equal(bits, 0x1c0d9222);
  for (let j = 0; j < 93; j++) {
    chain.add(6000, bits);
    const next = cash();
    assert.ok(target(next) <= mainnet.powLimit);
    assert.ok(target(next) > target(bits));
    assert.ok(target(next) - target(bits) < target(bits) >> 3n);
    bits = next;
  }
  assert.equal(bits, 0x1c2f13b9);
  // The bounded window makes the next one slightly harder…
  chain.add(6000, bits);
  bits = cash();
  assert.equal(bits, 0x1c2ee9bf);
  // …then easier again, down to the limit, where it stays.
  for (let j = 0; j < 192; j++) {
    chain.add(6000, bits);
    const next = cash();
    assert.ok(target(next) <= mainnet.powLimit);
    assert.ok(target(next) > target(bits));
    assert.ok(target(next) - target(bits) < target(bits) >> 3n);
    bits = next;
  }
  assert.equal(bits, 0x1d00ffff);
  for (let j = 0; j < 5; j++) {
    chain.add(6000, bits);
    assert.equal(cash(), mainnet.powLimitBits);
  }
});

test('DAA target from work over time, checked by hand', () => {
  // 144 blocks of work W each over exactly 144 × 600 s: projected work per block is W.
  const w = blockProof(0x1c0fffff);
  const first = { height: 10, time: 0, bits: 0, chainWork: 0n };
  const last = { height: 154, time: 144 * 600, bits: 0, chainWork: 144n * w };
  const expected = ((1n << 256n) - w) / w;
  assert.equal(computeDaaTarget(first, last, mainnet), expected);
  // Twice as fast means twice the work per 600 s: half the target (within rounding).
  const fast = computeDaaTarget(first, { ...last, time: 72 * 600 }, mainnet);
  assert.equal(fast, ((1n << 256n) - 2n * w) / (2n * w));
  // Faster than 72 blocks' time is clamped to it.
  assert.equal(computeDaaTarget(first, { ...last, time: 600 }, mainnet), fast);
  throwsCode(() => computeDaaTarget(last, first, mainnet), C.InvalidArgument, 'last.height');
  throwsCode(() => computeDaaTarget(first, { ...last, chainWork: 0n }, mainnet), C.InvalidTarget);
});

test('DAA activates for children of daaHeight and later', () => {
  const p: ChainParams = { ...mainnet, daaHeight: 2100 };
  const bits = 0x1c0fffff;
  const chain = new Chain(1_500_000_000, bits);
  for (let i = 1; i <= 2101; i++) chain.add(i >= 2090 ? 20_000 : 600, bits);
  // Parent 2099: EDA path (bits unchanged unless 12 h passed); parent 2100: DAA.
  const edaPrev = chain.blocks[2099];
  const daaPrev = chain.blocks[2100];
  assert.equal(getNextWorkRequired(daaPrev, 0, chain.view, p), getNextCashWorkRequired(daaPrev, 0, chain.view, p));
  assert.notEqual(getNextWorkRequired(edaPrev, 0, chain.view, p), getNextCashWorkRequired(edaPrev, 0, chain.view, p));
});

test('the suitable block is the median of three by time, ties broken as the reference sorting network does', () => {
  const mk = (times: number[]) => {
    const blocks = times.map((t, i) => ({ height: 10 + i, time: t, bits: 0, chainWork: BigInt(i) }));
    return { tip: blocks[2], view: { at: (h: number) => blocks[h - 10] } as ChainView };
  };
  const pick = (times: number[]) => {
    const { tip, view } = mk(times);
    return suitableBlock(tip, view).height - 10;
  };
  assert.equal(pick([1, 2, 3]), 1);
  assert.equal(pick([3, 2, 1]), 1);
  assert.equal(pick([2, 3, 1]), 0);
  assert.equal(pick([1, 3, 2]), 2);
  assert.equal(pick([5, 5, 5]), 1);
  assert.equal(pick([5, 5, 1]), 1);
  assert.equal(pick([5, 1, 5]), 0); // equal times: the older block, not the tip
  assert.equal(pick([1, 5, 5]), 1);
  throwsCode(() => suitableBlock(info(2, 0, 0), { at: () => undefined }), C.OutOfRange, 'block.height');
});

test('testnet: 20-minute minimum-difficulty rule on both sides of the DAA', () => {
  const hard = 0x1c0fffff;
  const limit = testnet.powLimitBits;
  // Legacy era: a block 20 minutes + 1 s after its parent may take the limit…
  const chain = new Chain(1_400_000_000, hard);
  for (let i = 1; i < 3000; i++) chain.add(600, hard);
  const t = chain.tip.time;
  assert.equal(chain.next(testnet, t + 1201), limit);
  assert.equal(chain.next(testnet, t + 1200), hard);
  // …and after minimum-difficulty blocks, the last real difficulty comes back.
  chain.add(1300, limit);
  chain.add(1300, limit);
  assert.equal(chain.next(testnet, chain.tip.time + 600), hard);
  // The walk back stops at a 2016 boundary.
  const c2 = new Chain(1_400_000_000, hard);
  for (let i = 1; i < 4100; i++) c2.add(600, i >= 4032 ? limit : hard);
  assert.equal(c2.next(testnet, c2.tip.time + 600), limit);
  // DAA era: the same 20-minute rule, otherwise the DAA.
  const p: ChainParams = { ...testnet, daaHeight: 2500 };
  assert.equal(chain.next(p, chain.tip.time + 1201), limit);
  assert.equal(chain.next(p, chain.tip.time + 600), getNextCashWorkRequired(chain.tip, chain.tip.time + 600, chain.view, { ...p, powAllowMinDifficultyBlocks: false }));
});

test('median time past is the middle of the last eleven timestamps', () => {
  const chain = new Chain(1000, 0x207fffff);
  const deltas = [5, -3, 100, 7, 7, -50, 20, 1, 1, 1, 300, 4];
  for (const d of deltas) chain.add(d, 0x207fffff);
  const times = chain.blocks.slice(-11).map((b) => b.time).sort((a, b) => a - b);
  assert.equal(medianTimePast(chain.view, chain.tip.height), times[5]);
  assert.equal(medianTimePast(chain.view, 0), 1000);
  assert.equal(medianTimePast(chain.view, 1), 1005); // two blocks: the upper one
});

test('missing or wrong ancestors are reported, naming the height', () => {
  const chain = new Chain(1_500_000_000, 0x1c0fffff);
  for (let i = 1; i < 2100; i++) chain.add(600, 0x1c0fffff);
  const partial: ChainView = { at: (h) => (h > 2000 ? chain.blocks[h] : undefined) };
  throwsCode(() => getNextCashWorkRequired(chain.tip, 0, partial, mainnet), C.MissingAncestor, 'chain.at(1955)');
  const wrong: ChainView = { at: (h) => chain.blocks[h - 1] };
  throwsCode(() => getNextCashWorkRequired(chain.tip, 0, wrong, mainnet), C.InvalidArgument, 'chain.at(2098)');
  const young = new Chain(1_500_000_000, 0x1c0fffff);
  for (let i = 1; i < 100; i++) young.add(600, 0x1c0fffff);
  throwsCode(() => getNextCashWorkRequired(young.tip, 0, young.view, mainnet), C.OutOfRange, 'prev.height');
});
