/**
 * The regtest pool address used when STRATUM_POOL_ADDRESS is not set: P2PKH of the compressed
 * public key of the documented test private key 1 (WIF, regtest/testnet:
 * cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA). Anyone can spend it: regtest only.
 */
export const REGTEST_POOL_PRIVATE_KEY = 1n;
export const REGTEST_POOL_ADDRESS = 'mrCDrCybB6J1vRfbwM5hemdJz73FwDBC8r';
