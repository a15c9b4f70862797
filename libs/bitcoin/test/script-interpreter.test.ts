/**
 * Interpreter cases ported from the reference node's C++ unit tests (opcode_tests.cpp,
 * lrshiftnum_tests.cpp): Chronicle opcodes, number length limits, stack memory accounting.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_SCRIPT_CONFIG,
  NO_SIGNATURE_CHECKER,
  Op,
  ScriptError,
  ScriptFlag,
  ScriptStack,
  STACK_ELEMENT_OVERHEAD,
  evalScript,
  scriptLimits,
  type ScriptLimits,
  type SignatureChecker,
} from '@metamorph/bitcoin';

const CHRONICLE = ScriptFlag.UTXO_AFTER_GENESIS | ScriptFlag.UTXO_AFTER_CHRONICLE;
const GENESIS = ScriptFlag.UTXO_AFTER_GENESIS;

function withVersion(txVersion: number): SignatureChecker {
  return { ...NO_SIGNATURE_CHECKER, txVersion };
}

interface Run {
  error: ScriptError | undefined;
  stack: number[][];
}

/** EvalScript with policy limits (as the reference tests use) unless limits are given. */
function run(
  script: number[],
  flags: number,
  opts: { version?: number; limits?: ScriptLimits; initial?: number[][]; maxMemory?: number } = {},
): Run {
  const limits = opts.limits ?? scriptLimits(flags, false);
  const stack = ScriptStack.withLimit(opts.maxMemory ?? 0xffffffff);
  for (const item of opts.initial ?? []) stack.push(Uint8Array.from(item));
  const error = evalScript(stack, Uint8Array.from(script), flags, withVersion(opts.version ?? 1), limits);
  return { error, stack: stack.items.map((i) => Array.from(i)) };
}

function top(r: Run): number[] | undefined {
  return r.stack[r.stack.length - 1];
}

type Case = [script: number[], error: ScriptError, size: number, top?: number[]];

function table(flags: number, cases: Case[], version = 1): void {
  for (const [script, error, size, expectedTop] of cases) {
    const r = run(script, flags, { version });
    assert.equal(r.error, error, `script ${JSON.stringify(script)}`);
    assert.equal(r.stack.length, size, `stack size of ${JSON.stringify(script)}`);
    if (expectedTop) assert.deepEqual(top(r), expectedTop, `top of ${JSON.stringify(script)}`);
  }
}

describe('OP_VER and OP_VERIF/OP_VERNOTIF', () => {
  test('OP_VER is a bad opcode before Chronicle', () => {
    assert.equal(run([Op.OP_VER], ScriptFlag.GENESIS).error, ScriptError.BAD_OPCODE);
  });

  test('OP_VER pushes the transaction version as 4 little-endian bytes', () => {
    const cases: [number, number[]][] = [
      [0, [0, 0, 0, 0]],
      [1, [1, 0, 0, 0]],
      [0x12345678, [0x78, 0x56, 0x34, 0x12]],
      [0x7fffffff, [0xff, 0xff, 0xff, 0x7f]],
      [-1, [0xff, 0xff, 0xff, 0xff]],
      [-2, [0xfe, 0xff, 0xff, 0xff]],
      [-0x80000000, [0, 0, 0, 0x80]],
    ];
    for (const [version, bytes] of cases) {
      const r = run([Op.OP_VER], CHRONICLE, { version });
      assert.equal(r.error, ScriptError.OK);
      assert.deepEqual(r.stack, [bytes]);
    }
  });

  test('OP_VERIF before Chronicle: bad opcode, except unexecuted after Genesis', () => {
    for (const op of [Op.OP_VERIF, Op.OP_VERNOTIF]) {
      assert.equal(run([op], 0).error, ScriptError.BAD_OPCODE);
      assert.equal(run([op], GENESIS).error, ScriptError.BAD_OPCODE);
      assert.equal(run([Op.OP_0, Op.OP_IF, op, Op.OP_ENDIF], 0).error, ScriptError.BAD_OPCODE);
      assert.equal(run([Op.OP_0, Op.OP_IF, op, Op.OP_ENDIF], GENESIS).error, ScriptError.OK);
    }
  });

  test('OP_VERIF after Chronicle compares 4 bytes with the version', () => {
    const v1 = [Op.OP_PUSHDATA1, 4, 1, 0, 0, 0];
    table(CHRONICLE, [
      [[...v1, Op.OP_VERIF, Op.OP_2], ScriptError.UNBALANCED_CONDITIONAL, 1, [2]],
      [[...v1, Op.OP_VERIF, Op.OP_2, Op.OP_ELSE], ScriptError.UNBALANCED_CONDITIONAL, 1, [2]],
      [[Op.OP_PUSHDATA1, 1, 1, Op.OP_VERIF, Op.OP_ENDIF], ScriptError.OK, 0],
      [[Op.OP_PUSHDATA1, 1, 1, Op.OP_VERIF, Op.OP_2, Op.OP_ENDIF], ScriptError.OK, 0],
      [[Op.OP_PUSHDATA1, 1, 1, Op.OP_VERIF, Op.OP_2, Op.OP_ELSE, Op.OP_3, Op.OP_ENDIF], ScriptError.OK, 1, [3]],
      [[Op.OP_PUSHDATA1, 1, 1, Op.OP_VERIF, Op.OP_2, Op.OP_ELSE, Op.OP_3, Op.OP_NEGATE, Op.OP_ENDIF], ScriptError.OK, 1, [0x83]],
      [[Op.OP_PUSHDATA1, 5, 1, 0, 0, 0, 0, Op.OP_VERIF, Op.OP_2, Op.OP_ELSE, Op.OP_3, Op.OP_ENDIF], ScriptError.OK, 1, [3]],
      [[Op.OP_PUSHDATA1, 4, 2, 0, 0, 0, Op.OP_VERIF, Op.OP_2, Op.OP_ELSE, Op.OP_3, Op.OP_ENDIF], ScriptError.OK, 1, [3]],
      [[Op.OP_PUSHDATA1, 4, 0, 0, 0, 1, Op.OP_VERIF, Op.OP_2, Op.OP_ELSE, Op.OP_3, Op.OP_ENDIF], ScriptError.OK, 1, [3]],
      [[...v1, Op.OP_VERIF, Op.OP_2, Op.OP_ELSE, Op.OP_3, Op.OP_ENDIF], ScriptError.OK, 1, [2]],
      [[...v1, Op.OP_VERIF, Op.OP_2, Op.OP_NEGATE, Op.OP_ENDIF], ScriptError.OK, 1, [0x82]],
      [[...v1, ...v1, Op.OP_VERIF, Op.OP_VERIF, Op.OP_2, Op.OP_ENDIF, Op.OP_ENDIF], ScriptError.OK, 1, [2]],
      [[...v1, Op.OP_PUSHDATA1, 4, 2, 0, 0, 0, Op.OP_VERIF, Op.OP_ELSE, Op.OP_VERIF, Op.OP_2, Op.OP_ENDIF, Op.OP_ENDIF], ScriptError.OK, 1, [2]],
    ]);
    table(
      CHRONICLE,
      [[[Op.OP_PUSHDATA1, 4, 0xff, 0xff, 0xff, 0x7f, Op.OP_VERIF, Op.OP_2, Op.OP_ELSE, Op.OP_3, Op.OP_ENDIF], ScriptError.OK, 1, [2]]],
      0x7fffffff,
    );
    table(CHRONICLE, [[[Op.OP_PUSHDATA1, 4, 1, 0, 0, 0, Op.OP_VERNOTIF, Op.OP_2, Op.OP_ELSE, Op.OP_3, Op.OP_ENDIF], ScriptError.OK, 1, [3]]]);
  });
});

describe('OP_SUBSTR, OP_LEFT, OP_RIGHT', () => {
  test('are NOP4-6 before Chronicle', () => {
    for (const op of [Op.OP_SUBSTR, Op.OP_LEFT, Op.OP_RIGHT]) {
      assert.equal(run([op], 0).error, ScriptError.OK);
      assert.equal(run([op], ScriptFlag.DISCOURAGE_UPGRADABLE_NOPS).error, ScriptError.DISCOURAGE_UPGRADABLE_NOPS);
    }
  });

  test('OP_SUBSTR after Chronicle', () => {
    const abc = [Op.OP_PUSHDATA1, 3, 0, 1, 2];
    table(CHRONICLE, [
      [[Op.OP_SUBSTR], ScriptError.INVALID_STACK_OPERATION, 0],
      [[Op.OP_1, Op.OP_SUBSTR], ScriptError.INVALID_STACK_OPERATION, 1, [1]],
      [[Op.OP_1, Op.OP_2, Op.OP_SUBSTR], ScriptError.INVALID_STACK_OPERATION, 2, [2]],
      [[Op.OP_1, Op.OP_2, Op.OP_PUSHDATA1, 1, 0x81, Op.OP_SUBSTR], ScriptError.INVALID_NUMBER_RANGE, 3, [0x81]],
      [[...abc, Op.OP_3, Op.OP_1, Op.OP_SUBSTR], ScriptError.INVALID_NUMBER_RANGE, 3, [1]],
      [[Op.OP_1, Op.OP_PUSHDATA1, 1, 0x81, Op.OP_3, Op.OP_SUBSTR], ScriptError.INVALID_NUMBER_RANGE, 3, [3]],
      [[...abc, Op.OP_0, Op.OP_4, Op.OP_SUBSTR], ScriptError.INVALID_NUMBER_RANGE, 3, [4]],
      [[Op.OP_0, Op.OP_0, Op.OP_0, Op.OP_SUBSTR], ScriptError.INVALID_NUMBER_RANGE, 3, []],
      [[...abc, Op.OP_0, Op.OP_0, Op.OP_SUBSTR], ScriptError.OK, 1, []],
      [[...abc, Op.OP_2, Op.OP_0, Op.OP_SUBSTR], ScriptError.OK, 1, []],
      [[...abc, Op.OP_0, Op.OP_1, Op.OP_SUBSTR], ScriptError.OK, 1, [0]],
      [[...abc, Op.OP_2, Op.OP_1, Op.OP_SUBSTR], ScriptError.OK, 1, [2]],
      [[...abc, Op.OP_0, Op.OP_2, Op.OP_SUBSTR], ScriptError.OK, 1, [0, 1]],
      [[...abc, Op.OP_1, Op.OP_2, Op.OP_SUBSTR], ScriptError.OK, 1, [1, 2]],
    ]);
  });

  test('OP_LEFT and OP_RIGHT after Chronicle', () => {
    for (const [op, one] of [
      [Op.OP_LEFT, 0],
      [Op.OP_RIGHT, 1],
    ]) {
      table(CHRONICLE, [
        [[op], ScriptError.INVALID_STACK_OPERATION, 0],
        [[Op.OP_1, op], ScriptError.INVALID_STACK_OPERATION, 1, [1]],
        [[Op.OP_1, Op.OP_1, Op.OP_NEGATE, op], ScriptError.INVALID_NUMBER_RANGE, 2, [0x81]],
        [[Op.OP_0, Op.OP_0, op], ScriptError.OK, 1, []],
        [[Op.OP_0, Op.OP_1, op], ScriptError.INVALID_NUMBER_RANGE, 2, [1]],
        [[Op.OP_PUSHDATA1, 1, 0, Op.OP_1, op], ScriptError.OK, 1, [0]],
        [[Op.OP_PUSHDATA1, 1, 0, Op.OP_2, op], ScriptError.INVALID_NUMBER_RANGE, 2, [2]],
        [[Op.OP_PUSHDATA1, 2, 0, 1, Op.OP_0, op], ScriptError.OK, 1, []],
        [[Op.OP_PUSHDATA1, 2, 0, 1, Op.OP_1, op], ScriptError.OK, 1, [one]],
        [[Op.OP_PUSHDATA1, 2, 0, 1, Op.OP_2, op], ScriptError.OK, 1, [0, 1]],
        [[Op.OP_PUSHDATA1, 2, 0, 1, Op.OP_3, op], ScriptError.INVALID_NUMBER_RANGE, 2, [3]],
      ]);
    }
  });
});

describe('OP_2MUL and OP_2DIV', () => {
  test('are disabled before Chronicle, even unexecuted for pre-Genesis outputs', () => {
    for (const op of [Op.OP_2MUL, Op.OP_2DIV]) {
      assert.equal(run([op], 0).error, ScriptError.DISABLED_OPCODE);
      assert.equal(run([op], GENESIS).error, ScriptError.DISABLED_OPCODE);
      assert.equal(run([Op.OP_0, Op.OP_IF, op, Op.OP_ENDIF], 0).error, ScriptError.DISABLED_OPCODE);
      assert.equal(run([Op.OP_0, Op.OP_IF, op, Op.OP_ENDIF], GENESIS).error, ScriptError.OK);
    }
  });

  test('double and halve after Chronicle', () => {
    table(CHRONICLE, [
      [[Op.OP_2MUL], ScriptError.INVALID_STACK_OPERATION, 0],
      [[Op.OP_0, Op.OP_2MUL], ScriptError.OK, 1, []],
      [[Op.OP_1, Op.OP_NEGATE, Op.OP_2MUL], ScriptError.OK, 1, [0x82]],
      [[Op.OP_PUSHDATA1, 1, 0xff, Op.OP_2, Op.OP_MUL, Op.OP_PUSHDATA1, 1, 0xff, Op.OP_2MUL, Op.OP_2DUP, Op.OP_EQUALVERIFY], ScriptError.OK, 2, [0xfe, 0x80]],
      [[Op.OP_PUSHDATA1, 4, 0xff, 0xff, 0xff, 0x7f, Op.OP_2MUL], ScriptError.OK, 1, [0xfe, 0xff, 0xff, 0xff, 0]],
      [[Op.OP_PUSHDATA1, 4, 0xff, 0xff, 0xff, 0xff, Op.OP_2MUL], ScriptError.OK, 1, [0xfe, 0xff, 0xff, 0xff, 0x80]],
      [[Op.OP_0, Op.OP_IF, Op.OP_1, Op.OP_2MUL, Op.OP_ENDIF], ScriptError.OK, 0],
      [[Op.OP_2DIV], ScriptError.INVALID_STACK_OPERATION, 0],
      [[Op.OP_1, Op.OP_2DIV], ScriptError.OK, 1, []],
      [[Op.OP_1, Op.OP_NEGATE, Op.OP_2DIV], ScriptError.OK, 1, []],
      [[Op.OP_2, Op.OP_NEGATE, Op.OP_2DIV], ScriptError.OK, 1, [0x81]],
      [[Op.OP_PUSHDATA1, 2, 0xfe, 0x80, Op.OP_2, Op.OP_DIV, Op.OP_PUSHDATA1, 2, 0xfe, 0x80, Op.OP_2DIV, Op.OP_2DUP, Op.OP_EQUALVERIFY], ScriptError.OK, 2, [0xff]],
      [[Op.OP_PUSHDATA1, 4, 0xff, 0xff, 0xff, 0x7f, Op.OP_2DIV], ScriptError.OK, 1, [0xff, 0xff, 0xff, 0x3f]],
      [[Op.OP_PUSHDATA1, 4, 0xff, 0xff, 0xff, 0xff, Op.OP_2DIV], ScriptError.OK, 1, [0xff, 0xff, 0xff, 0xbf]],
    ]);
  });

  test('results longer than the number limit overflow', () => {
    const oneByte = (ops: number): ScriptLimits => ({ maxOpsPerScript: ops, maxScriptNumLength: 1, maxScriptSize: 100, maxPubKeysPerMultiSig: 0, maxStackMemoryUsage: 0xffffffff });
    const cases: [number[], number][] = [
      [[1, 0x40, Op.OP_2, Op.OP_MUL], 1],
      [[1, 0x40, Op.OP_2MUL], 1],
      [[1, 0x7f, 1, 0x7f, Op.OP_ADD], 1],
      [[1, 0x7f, Op.OP_1ADD], 1],
      [[Op.OP_1NEGATE, 1, 0x7f, Op.OP_SUB], 1],
      [[1, 0x7f, Op.OP_NEGATE, Op.OP_1SUB], 2],
    ];
    for (const [script, ops] of cases) {
      assert.equal(run(script, CHRONICLE, { limits: oneByte(ops) }).error, ScriptError.SCRIPTNUM_OVERFLOW, JSON.stringify(script));
    }
  });
});

describe('OP_LSHIFTNUM and OP_RSHIFTNUM', () => {
  test('are NOP7/NOP8 before Chronicle', () => {
    for (const op of [Op.OP_LSHIFTNUM, Op.OP_RSHIFTNUM]) {
      assert.deepEqual(run([Op.OP_1, op], 0), { error: ScriptError.OK, stack: [[1]] });
      assert.equal(run([Op.OP_1, op], ScriptFlag.DISCOURAGE_UPGRADABLE_NOPS).error, ScriptError.DISCOURAGE_UPGRADABLE_NOPS);
    }
  });

  test('shift numbers after Chronicle', () => {
    const expectStack = (script: number[], error: ScriptError, stack: number[][]) => {
      const r = run(script, CHRONICLE);
      assert.equal(r.error, error, JSON.stringify(script));
      assert.equal(r.stack.length, stack.length, JSON.stringify(script));
      if (error === ScriptError.OK) assert.deepEqual(r.stack, stack, JSON.stringify(script));
    };
    const L = Op.OP_LSHIFTNUM;
    const R = Op.OP_RSHIFTNUM;
    expectStack([L], ScriptError.INVALID_STACK_OPERATION, []);
    expectStack([Op.OP_1, L], ScriptError.INVALID_STACK_OPERATION, [[1]]);
    expectStack([Op.OP_2, Op.OP_1NEGATE, L], ScriptError.INVALID_NUMBER_RANGE, [[2], [0x81]]);
    expectStack([Op.OP_0, Op.OP_1, L], ScriptError.OK, [[]]);
    expectStack([Op.OP_1, Op.OP_0, L], ScriptError.OK, [[1]]);
    expectStack([Op.OP_1, Op.OP_8, L], ScriptError.OK, [[0, 1]]);
    expectStack([2, 1, 2, Op.OP_8, L], ScriptError.OK, [[0, 1, 2]]);
    expectStack([3, 1, 2, 3, Op.OP_16, L], ScriptError.OK, [[0, 0, 1, 2, 3]]);
    expectStack([Op.OP_1, Op.OP_1, L], ScriptError.OK, [[2]]);
    expectStack([Op.OP_1, Op.OP_7, L], ScriptError.OK, [[0x80, 0]]);
    expectStack([2, 1, 2, Op.OP_9, L], ScriptError.OK, [[0, 2, 4]]);
    expectStack([Op.OP_1NEGATE, Op.OP_7, L], ScriptError.OK, [[0x80, 0x80]]);
    expectStack([2, 0x1, 0x80, Op.OP_7, L], ScriptError.OK, [[0x80, 0x80]]);

    expectStack([R], ScriptError.INVALID_STACK_OPERATION, []);
    expectStack([Op.OP_2, Op.OP_1NEGATE, R], ScriptError.INVALID_NUMBER_RANGE, [[2], [0x81]]);
    expectStack([Op.OP_0, Op.OP_1, R], ScriptError.OK, [[]]);
    expectStack([2, 1, 2, Op.OP_8, R], ScriptError.OK, [[2]]);
    expectStack([3, 1, 2, 3, Op.OP_16, R], ScriptError.OK, [[3]]);
    expectStack([Op.OP_2, Op.OP_1, R], ScriptError.OK, [[1]]);
    expectStack([2, 0, 1, Op.OP_1, R], ScriptError.OK, [[0x80, 0]]);
    expectStack([2, 0, 0x81, Op.OP_1, R], ScriptError.OK, [[0x80, 0x80]]);
    expectStack([3, 1, 2, 4, Op.OP_9, R], ScriptError.OK, [[1, 2]]);
    expectStack([Op.OP_1, Op.OP_1, R], ScriptError.OK, [[]]);
    expectStack([Op.OP_1NEGATE, Op.OP_1, R], ScriptError.OK, [[]]);
  });

  test('a right shift by more than 2^31-1 bits is the reference node\'s big-number error', () => {
    const r = run([Op.OP_1, 5, 0, 0, 0, 0x80, 0x00, Op.OP_RSHIFTNUM], CHRONICLE);
    assert.equal(r.error, ScriptError.BIG_INT);
  });

  test('numbers as long as the policy limit shift by one bit', () => {
    const limits = scriptLimits(CHRONICLE, false);
    const size = limits.maxScriptNumLength;
    const left = run([Op.OP_1, Op.OP_LSHIFTNUM], CHRONICLE, { initial: [new Array(size).fill(0x80)], maxMemory: Infinity });
    assert.equal(left.error, ScriptError.OK);
    const e = left.stack[0];
    assert.equal(e.length, size);
    assert.deepEqual([e[0], e[1], e[size >> 1], e[size - 2], e[size - 1]], [0x00, 0x01, 0x01, 0x01, 0x81]);

    const right = run([Op.OP_1, Op.OP_RSHIFTNUM], CHRONICLE, { initial: [new Array(size).fill(0x80)], maxMemory: Infinity });
    assert.equal(right.error, ScriptError.OK);
    const f = right.stack[0];
    assert.equal(f.length, size - 1);
    assert.deepEqual([f[0], f[1], f[size >> 1], f[size - 3], f[size - 2]], [0x40, 0x40, 0x40, 0x40, 0xc0]);
  });

  test('a left shift to the 32 MB Chronicle limit succeeds, one byte further overflows', () => {
    const max = 32_000_000;
    const limits = scriptLimits(CHRONICLE, false, { ...DEFAULT_SCRIPT_CONFIG, maxScriptNumLengthPolicy: max });
    const shift = (bits: number) => [4, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (bits >>> 24) & 0xff, Op.OP_LSHIFTNUM];
    const ok = run(shift((max - 1) * 8), CHRONICLE, { limits, initial: [[1]], maxMemory: Infinity });
    assert.equal(ok.error, ScriptError.OK);
    assert.equal(ok.stack[0].length, max);
    assert.equal(ok.stack[0][max - 1], 1);
    assert.equal(ok.stack[0][max - 2], 0);
    const over = run(shift(max * 8), CHRONICLE, { limits, initial: [[1]], maxMemory: Infinity });
    assert.equal(over.error, ScriptError.SCRIPTNUM_OVERFLOW);
    assert.deepEqual(over.stack, [[1]]);
  });
});

describe('flags and stack memory', () => {
  test('UTXO_AFTER_CHRONICLE without UTXO_AFTER_GENESIS is refused', () => {
    assert.deepEqual(run([], ScriptFlag.UTXO_AFTER_CHRONICLE), { error: ScriptError.INVALID_FLAGS, stack: [] });
  });

  test('OP_2ROT', () => {
    const r = run([Op.OP_6, Op.OP_5, Op.OP_4, Op.OP_3, Op.OP_2, Op.OP_1, Op.OP_2ROT], CHRONICLE);
    assert.equal(r.error, ScriptError.OK);
    assert.deepEqual(r.stack.map((x) => x[0]).reverse(), [5, 6, 1, 2, 3, 4]);
    assert.equal(run([Op.OP_5, Op.OP_4, Op.OP_3, Op.OP_2, Op.OP_1, Op.OP_2ROT], CHRONICLE).error, ScriptError.INVALID_STACK_OPERATION);
  });

  test('memory is charged per item with 32 bytes of overhead (limited_stack_test)', () => {
    const O = STACK_ELEMENT_OVERHEAD;
    const a = [0xab, 0xcd, 0xef];
    const b = [0x12, 0x34, 0x56, 0x78];
    const check = (initial: number[][], script: number[], error: ScriptError, maxMemory: number, expected?: number[][]) => {
      const r = run(script, 0, { initial, maxMemory });
      assert.equal(r.error, error, `${JSON.stringify(script)} with ${maxMemory}`);
      if (expected) assert.deepEqual(r.stack, expected);
    };
    assert.throws(() => run([], 0, { initial: [a, b], maxMemory: 6 + 2 * O }));
    check([a, b], [Op.OP_CAT], ScriptError.OK, 7 + 2 * O, [[...a, ...b]]);
    check([a, b], [Op.OP_TUCK], ScriptError.OK, 11 + 3 * O, [b, a, b]);
    check([a, b], [Op.OP_TUCK], ScriptError.STACK_SIZE, 10 + 3 * O);
    check([[0xab], [0xcd]], [Op.OP_OVER], ScriptError.OK, 3 + 3 * O, [[0xab], [0xcd], [0xab]]);
    check([[0xab], [0xcd]], [Op.OP_OVER], ScriptError.STACK_SIZE, 2 + 2 * O);
    check([[0xab]], [Op.OP_TOALTSTACK], ScriptError.OK, 1 + 2 * O, []);
    check([[0xab]], [Op.OP_FROMALTSTACK], ScriptError.INVALID_ALTSTACK_OPERATION, 1 + 2 * O);
    check([[0xab]], [Op.OP_TOALTSTACK, Op.OP_FROMALTSTACK], ScriptError.OK, 1 + 2 * O, [[0xab]]);
    check([[0xab], [0xcd], [0xef]], [Op.OP_NIP], ScriptError.OK, 3 + 3 * O, [[0xab], [0xef]]);
  });

  test('OP_LSHIFT/OP_RSHIFT shift a byte string as one bit string', () => {
    const r = run([2, 0x80, 0x01, Op.OP_1, Op.OP_RSHIFT], GENESIS);
    assert.deepEqual(r.stack, [[0x40, 0x00]]);
    const l = run([2, 0x01, 0x80, Op.OP_1, Op.OP_LSHIFT], GENESIS);
    assert.deepEqual(l.stack, [[0x03, 0x00]]);
    const zero = run([2, 0xff, 0xff, Op.OP_16, Op.OP_LSHIFT], GENESIS);
    assert.deepEqual(zero.stack, [[0, 0]]);
  });
});
