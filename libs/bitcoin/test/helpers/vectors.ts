import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The reference node's vector files live in ../shared/vectors beside the repository. */
export const VECTORS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/vectors');

/** sha256 of each vector file as listed in shared/vectors/SOURCES.md. */
export const VECTOR_SHA256: Record<string, string> = {
  'script_tests.json': 'a77f8b94412ef61e9ee59980ebc682a64212b47a16f06d87f809d91770ba496d',
  'tx_valid.json': '20e42308ead38db645454c4def763288e8cef2e5c47a4d9088e53dc7fc01419d',
  'tx_invalid.json': '536a533f00714374d15fb24f601b989a87f9447a7a414a6532380e41c09c4fbe',
  'sighash.json': '9c1afcaf81e8482f818345efa8a3f0610f6541b975023b58550d50ad2a557f63',
};

/** Read a vector file, refusing it unless its sha256 is the pinned one. */
export function loadVectors(name: string): unknown[] {
  const bytes = readFileSync(resolve(VECTORS_DIR, name));
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== VECTOR_SHA256[name]) throw new Error(`${name}: sha256 ${digest} is not the pinned ${VECTOR_SHA256[name]}`);
  return JSON.parse(bytes.toString('utf8')) as unknown[];
}

/** One line per vector file, e.g. `script_tests: 1483 passed, 0 failed, 2 known failures`. */
export function summaryLine(file: string, passed: number, failed: number, known: number): string {
  return `${file}: ${passed} passed, ${failed} failed` + (known > 0 ? `, ${known} known failures` : '');
}
