import { BitcoinError, parseAddress as parseBitcoinAddress, type NetworkName } from '@metamorph/bitcoin';
import { ApiError, ApiErrorCode } from '../errors.js';

/** A list size: the default when absent, else an integer from 1 to `max`. */
export function pageSize(value: number | null | undefined, fallback: number, max: number, argument = 'limit'): number {
  if (value === undefined || value === null) return Math.min(fallback, max);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ApiError(ApiErrorCode.BadUserInput, `${argument} must be an integer from 1 to ${max}, got ${value}`, argument);
  }
  return value;
}

/** A database id given as a GraphQL ID: a positive 32-bit integer in decimal. */
export function parseId(value: string | number, argument: string): number {
  const s = String(value);
  const n = /^[1-9]\d{0,9}$/.test(s) ? Number(s) : NaN;
  if (!(n <= 2_147_483_647)) throw new ApiError(ApiErrorCode.BadUserInput, `${argument} must be a positive integer id, got "${s.slice(0, 40)}"`, argument);
  return n;
}

/** A payout address of the configured network, as Stratum usernames carry it. */
export function parseAddress(value: string, network: NetworkName, argument: string): string {
  try {
    parseBitcoinAddress(value, network);
  } catch (e) {
    if (!(e instanceof BitcoinError)) throw e;
    throw new ApiError(ApiErrorCode.BadUserInput, `${argument} is not a ${network} address: ${e.detail}`, argument);
  }
  return value;
}
