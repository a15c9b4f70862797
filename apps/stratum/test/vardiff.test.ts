import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VarDiff, type VarDiffOptions } from '../src/vardiff.js';

const OPTIONS: VarDiffOptions = { targetSeconds: 10, retargetSeconds: 60, retargetShares: 30, maxStep: 4, min: 1e-8, max: 1e15 };

/** A deterministic generator (LCG) so the simulations are the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

interface Run {
  ideal: number;
  /** [second, difficulty] of every change. */
  changes: [number, number][];
  final: number;
}

/**
 * A miner of `hashrate` H/s finding shares as a Poisson process at the difficulty it was last
 * given (each share credited at that difficulty), with the server's 1 s ticks, for `seconds`.
 */
function simulate(hashrate: number, start: number, seconds: number, seed: number, options = OPTIONS): Run {
  const random = rng(seed);
  const v = new VarDiff(options, start, 0);
  const changes: [number, number][] = [];
  let t = 0;
  let tick = 1;
  for (;;) {
    const mean = (v.difficulty * 2 ** 32) / hashrate;
    const at = t - Math.log(1 - random()) * mean;
    for (; tick < Math.min(at, seconds); tick++) {
      const r = v.tick(tick * 1000);
      if (r !== undefined) changes.push([tick, r]);
    }
    if (at >= seconds) break;
    t = at;
    const r = v.recordShare(v.difficulty, t * 1000);
    if (r !== undefined) changes.push([Math.round(t), r]);
  }
  return { ideal: (hashrate * options.targetSeconds) / 2 ** 32, changes, final: v.difficulty };
}

const within = (d: number, ideal: number, factor: number) => d >= ideal / factor && d <= ideal * factor;

describe('vardiff', () => {
  const cases: [string, number, number][] = [
    ['a 100 TH/s ASIC starting at the mainnet default', 100e12, 65536],
    ['a 100 TH/s ASIC starting at difficulty 1', 100e12, 1],
    ['a 1 TH/s miner starting far too high', 1e12, 65536],
    ['a CPU miner on regtest', 400e3, 0.0001],
    ['a 1 GH/s device starting at the floor', 1e9, 1e-8],
  ];
  for (const [name, hashrate, start] of cases) {
    test(`converges and stays put: ${name}`, () => {
      for (const seed of [1, 2, 3, 4, 5]) {
        const run = simulate(hashrate, start, 3 * 3600, seed);
        assert.ok(within(run.final, run.ideal, 1.6), `seed ${seed}: ended at ${run.final}, ideal ${run.ideal.toPrecision(3)}`);
        // After the first half hour, hardly any change (and none far off).
        const late = run.changes.filter(([t]) => t > 1800);
        assert.ok(late.length <= 4, `seed ${seed}: ${late.length} late changes ${JSON.stringify(late)}`);
        for (const [, d] of late) assert.ok(within(d, run.ideal, 2.5), `seed ${seed}: late change to ${d}`);
      }
    });
  }

  test('a far too easy difficulty climbs within three minutes, at most 4x per step', () => {
    const run = simulate(100e12, 1, 600, 7);
    const reached = run.changes.find(([, d]) => within(d, run.ideal, 1.6));
    assert.ok(reached && reached[0] <= 180, `reached ${JSON.stringify(reached)}`);
    let prev = 1;
    for (const [, d] of run.changes) {
      assert.ok(d <= prev * 4 * 1.005 && d >= prev / 4 / 1.005, `${prev} → ${d}`);
      prev = d;
    }
  });

  test('no share at all for two windows steps down; one quiet window does not', () => {
    const v = new VarDiff(OPTIONS, 1000, 0);
    assert.equal(v.tick(60_000), undefined, 'one window without a share');
    assert.equal(v.tick(120_000), 250, 'two windows: down by the largest step');
  });

  test('within noise nothing moves; enough evidence moves it; bounds and the connection floor hold', () => {
    const v = new VarDiff(OPTIONS, 1, 0);
    // 30 shares in 300 s at difficulty 1: exactly on target.
    let r: number | undefined;
    for (let i = 1; i <= 30; i++) r = v.recordShare(1, i * 10_000);
    assert.equal(r, undefined);
    // 30 shares in 150 s: twice the aimed rate, beyond the noise (3/√30 in log terms); the move
    // leaves out half the noise: e^(ln 2 − 1.5/√30) ≈ 1.52.
    for (let i = 1; i <= 30; i++) r = v.recordShare(1, 300_000 + i * 5000);
    assert.equal(r, 1.52);
    const floor = new VarDiff({ ...OPTIONS, min: 0.5 }, 1, 0);
    floor.setFloor(0.8);
    assert.equal(floor.minimum, 0.8);
    assert.equal(floor.tick(60_000), undefined);
    assert.equal(floor.tick(120_000), 0.8, 'clamped at the connection floor');
    const capped = new VarDiff({ ...OPTIONS, max: 3 }, 1, 0);
    for (let i = 1; i <= 30; i++) r = capped.recordShare(1, i * 100);
    assert.equal(r, 3, 'clamped at the pool maximum');
  });

  test('shares credited at other difficulties (around a change) measure the same rate', () => {
    const v = new VarDiff(OPTIONS, 4, 0);
    // 15 shares at difficulty 4 and 15 at 2 over 225 s: (60 + 30) / 225 × 10 = 4, on target.
    let r: number | undefined;
    for (let i = 1; i <= 30; i++) r = v.recordShare(i <= 15 ? 4 : 2, i * 7500);
    assert.equal(r, undefined);
  });
});
