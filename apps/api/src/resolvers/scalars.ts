import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { hashFromHex, hashToHex } from '@metamorph/bitcoin';

function invalid(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

function stringLiteral(ast: ValueNode, type: string): string {
  if (ast.kind !== Kind.STRING) throw invalid(`${type} must be given as a string`);
  return ast.value;
}

function parseHash(value: unknown): Uint8Array {
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{64}$/.test(value)) throw invalid('Hash must be 64 hex digits');
  return hashFromHex(value);
}

export const HashScalar = new GraphQLScalarType<Uint8Array, string>({
  name: 'Hash',
  serialize(value) {
    if (!(value instanceof Uint8Array) || value.length !== 32) throw new TypeError('Hash: expected 32 bytes');
    return hashToHex(value);
  },
  parseValue: parseHash,
  parseLiteral: (ast) => parseHash(stringLiteral(ast, 'Hash')),
});

const MAX_INT64 = (1n << 63n) - 1n;

function parseSatoshis(value: unknown): bigint {
  if (typeof value !== 'string' || !/^\d{1,19}$/.test(value) || BigInt(value) > MAX_INT64) {
    throw invalid('Satoshis must be a decimal string of a whole number of satoshis');
  }
  return BigInt(value);
}

export const SatoshisScalar = new GraphQLScalarType<bigint, string>({
  name: 'Satoshis',
  serialize(value) {
    if (typeof value !== 'bigint') throw new TypeError('Satoshis: expected a bigint');
    return value.toString();
  },
  parseValue: parseSatoshis,
  parseLiteral: (ast) => parseSatoshis(stringLiteral(ast, 'Satoshis')),
});

/** Anything with decimal.js's `toFixed()` (Prisma.Decimal), which never uses exponent notation. */
interface DecimalLike {
  toFixed(): string;
}

function parseDecimal(value: unknown): string {
  if (typeof value !== 'string' || !/^-?\d{1,40}(\.\d{1,20})?$/.test(value)) throw invalid('Decimal must be a decimal string such as "0.5"');
  return value;
}

export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  serialize(value) {
    if (typeof value === 'string') return value;
    if (value && typeof (value as DecimalLike).toFixed === 'function') return (value as DecimalLike).toFixed();
    throw new TypeError('Decimal: expected a decimal value');
  },
  parseValue: parseDecimal,
  parseLiteral: (ast) => parseDecimal(stringLiteral(ast, 'Decimal')),
});

function parseDateTime(value: unknown): Date {
  const d = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw invalid('DateTime must be an ISO-8601 string such as "2026-11-24T12:00:00Z"');
  return d;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new TypeError('DateTime: expected a Date');
    return value.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(stringLiteral(ast, 'DateTime')),
});
