/**
 * The height a coinbase scriptSig starts with (BIP34): `CScript() << height` in the reference
 * node, i.e. OP_0, OP_1…OP_16, or a direct push of the minimal script-number bytes.
 */
const OP_0 = 0x00;
const OP_1 = 0x51;
const OP_16 = 0x60;

/** The exact bytes BIP34 requires at the start of the coinbase scriptSig of block `height`. */
export function encodeHeightPush(height: number): Uint8Array {
  if (!Number.isInteger(height) || height < 0 || height > 0x7fffffff) throw new RangeError(`height ${height} is not a block height`);
  if (height === 0) return new Uint8Array([OP_0]);
  if (height <= 16) return new Uint8Array([OP_1 + height - 1]);
  const bytes: number[] = [];
  for (let n = height; n > 0; n = Math.floor(n / 256)) bytes.push(n % 256);
  if (bytes[bytes.length - 1] & 0x80) bytes.push(0);
  return new Uint8Array([bytes.length, ...bytes]);
}

/** BIP34: the scriptSig starts with exactly `encodeHeightPush(height)`. */
export function startsWithHeight(scriptSig: Uint8Array, height: number): boolean {
  const expect = encodeHeightPush(height);
  if (scriptSig.length < expect.length) return false;
  for (let i = 0; i < expect.length; i++) if (scriptSig[i] !== expect[i]) return false;
  return true;
}

/**
 * The number a scriptSig's first operation pushes when it reads as a height: OP_0, OP_1…OP_16,
 * or a direct push of 1–5 bytes holding a non-negative script number (minimal or not).
 * Undefined when the script starts with anything else.
 */
export function leadingHeight(scriptSig: Uint8Array): number | undefined {
  if (scriptSig.length === 0) return undefined;
  const op = scriptSig[0];
  if (op === OP_0) return 0;
  if (op >= OP_1 && op <= OP_16) return op - OP_1 + 1;
  if (op < 1 || op > 5 || scriptSig.length < 1 + op) return undefined;
  if (scriptSig[op] & 0x80) return undefined;
  let n = 0;
  for (let i = op; i >= 1; i--) n = n * 256 + scriptSig[i];
  return n;
}
