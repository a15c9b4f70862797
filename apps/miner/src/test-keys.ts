/**
 * Regtest payout addresses of the built-in fleet: P2PKH of the compressed public keys of the
 * documented test private keys 2, 3 and 4 (regtest/testnet WIFs below). Anyone can spend them:
 * regtest only. Workers take them in turn, so the dashboard shows several miners.
 */
export const REGTEST_MINER_KEYS = [
  { privateKey: 2n, wif: 'cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87K7XCyj5v', address: 'mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H' },
  { privateKey: 3n, wif: 'cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87KcLPVfXz', address: 'mrzKXEpXfEDHk7vFS3LBXVXoa4YXFcCkje' },
  { privateKey: 4n, wif: 'cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87L7FgDCKE', address: 'myQGSFVupuQvHqV8bpKtdh4sVUeCyyxs6M' },
] as const;

export const REGTEST_MINER_ADDRESSES: readonly string[] = REGTEST_MINER_KEYS.map((k) => k.address);
