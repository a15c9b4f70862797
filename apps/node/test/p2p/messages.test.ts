import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  blockHash,
  checkProofOfWork,
  decodeBlock,
  hashToHex,
  merkleRoot,
  regtest,
  sha256d,
  toHex,
  txid,
} from '@metamorph/bitcoin';
import { decodePayload, encodePayload, isCommand, type Message, type MessageOf } from '../../src/p2p/messages/index.js';
import { InvType, StreamType } from '../../src/p2p/protocol.js';
import { ipToString } from '../../src/p2p/net-address.js';
import { CAPTURE_SHA256, loadCapture, type CapturedMessage } from './capture.js';

const capture = loadCapture();

function decoded<C extends Message['command']>(m: CapturedMessage, command: C): MessageOf<C>['payload'] {
  assert.equal(m.command, command);
  const { message, trailing } = decodePayload(command, m.payload);
  assert.equal(trailing, 0, `${command} #${m.seq} leaves no bytes unread`);
  return message.payload as MessageOf<C>['payload'];
}

function all(command: string, from?: 'A' | 'B', conn?: number): CapturedMessage[] {
  return capture.messages.filter((m) => m.command === command && (from === undefined || m.from === from) && (conn === undefined || m.conn === conn));
}

describe('P2P messages against real SV Node 1.2.2 frames', () => {
  it('reads the pinned capture', () => {
    assert.equal(capture.sha256, CAPTURE_SHA256);
    assert.equal(toHex(capture.magic), toHex(regtest.netMagic));
    const commands = new Set(capture.messages.map((m) => m.command));
    assert.equal(commands.size, 21);
  });

  it('every frame: checksum is sha256d(payload)[:4], length matches, payload decodes and re-encodes byte for byte', () => {
    for (const m of capture.messages) {
      assert.equal(m.payload.length, m.length, `#${m.seq} length`);
      assert.equal(toHex(sha256d(m.payload).subarray(0, 4)), toHex(m.checksum), `#${m.seq} checksum`);
      assert.ok(isCommand(m.command), `${m.command} has a codec`);
      const { message, trailing } = decodePayload(m.command, m.payload);
      assert.equal(trailing, 0, `#${m.seq} ${m.command} consumed fully`);
      assert.equal(toHex(encodePayload(message)), toHex(m.payload), `#${m.seq} ${m.command} re-encodes exactly`);
    }
  });

  it('version: fields as SV Node sends them, association ID echoed by the listener', () => {
    const [b] = all('version', 'B');
    const [a] = all('version', 'A');
    const vb = decoded(b, 'version');
    const va = decoded(a, 'version');
    for (const v of [va, vb]) {
      assert.equal(v.version, 70016);
      assert.equal(v.services, 0x21n);
      assert.equal(v.userAgent, '/Bitcoin SV:1.2.2/');
      assert.equal(v.relay, true);
      assert.equal(v.addrRecv.services, 0n);
      assert.equal(v.addrRecv.port, 0);
      assert.equal(v.addrFrom.services, 0x21n);
      assert.equal(ipToString(v.addrFrom.ip), '::');
      assert.equal(v.associationId?.length, 17);
      assert.equal(v.associationId?.[0], 0, 'UUID association ID type');
    }
    assert.equal(vb.startHeight, 0);
    assert.equal(va.startHeight, 110);
    assert.equal(toHex(va.associationId!), toHex(vb.associationId!));
    assert.notEqual(va.nonce, vb.nonce);
    assert.equal(va.timestamp, 1795509849n);
  });

  it('protoconf: 2 fields, 2 MiB, BlockPriority,Default', () => {
    for (const m of all('protoconf')) {
      const p = decoded(m, 'protoconf');
      assert.deepEqual(p, { numberOfFields: 2, maxRecvPayloadLength: 2_097_152, streamPolicies: 'BlockPriority,Default' });
    }
  });

  it('authch: version 1 with a 32-byte challenge', () => {
    for (const m of all('authch')) {
      const p = decoded(m, 'authch');
      assert.equal(p.version, 1);
      assert.equal(p.length, 32);
      assert.equal(p.challenge.length, 32);
    }
  });

  it('sendcmpct: announce=0 version=1; sendheaders, verack and getaddr are empty', () => {
    for (const m of all('sendcmpct')) assert.deepEqual(decoded(m, 'sendcmpct'), { announce: false, version: 1n });
    for (const c of ['sendheaders', 'verack', 'getaddr']) for (const m of all(c)) assert.equal(m.length, 0);
  });

  it('ping and pong carry the same nonce', () => {
    for (const from of ['A', 'B'] as const) {
      const [ping] = all('ping', from);
      const [pong] = all('pong', from === 'A' ? 'B' : 'A');
      assert.equal(decoded(ping, 'ping').nonce, decoded(pong, 'pong').nonce);
    }
  });

  it('feefilter: satoshis per kB as a signed 64-bit amount', () => {
    const values = all('feefilter').map((m) => decoded(m, 'feefilter').feeRate);
    assert.deepEqual(values, [9_577_383n, 0n]);
  });

  it('getheaders: version, locator stepping back to genesis, zero stop hash', () => {
    const [fromB] = all('getheaders', 'B');
    const gb = decoded(fromB, 'getheaders');
    assert.equal(gb.version, 70016);
    assert.deepEqual(gb.locator.map(hashToHex), [hashToHex(regtest.genesisHash)]);
    assert.ok(gb.hashStop.every((x) => x === 0));
    const [fromA] = all('getheaders', 'A');
    const ga = decoded(fromA, 'getheaders');
    // Its locator starts one block below its tip (110) and steps back as CChain::GetLocator does.
    const [headersMsg] = all('headers', 'A', 0);
    const byHeight = [regtest.genesisHash as Uint8Array, ...decoded(headersMsg, 'headers').headers.map((h) => blockHash(h.header) as Uint8Array)];
    const heights = [109, 108, 107, 106, 105, 104, 103, 102, 101, 100, 99, 98, 96, 92, 84, 68, 36, 0];
    assert.deepEqual(ga.locator.map(hashToHex), heights.map((h) => hashToHex(byHeight[h])));
  });

  it('headers: 110 linked regtest headers with valid proof of work, each with a zero tx count', () => {
    const [m] = all('headers', 'A', 0);
    const { headers } = decoded(m, 'headers');
    assert.equal(headers.length, 110);
    let prev = regtest.genesisHash as Uint8Array;
    for (const { header, txCount } of headers) {
      assert.equal(txCount, 0);
      assert.equal(toHex(header.prevHash), toHex(prev));
      assert.equal(header.bits, 0x207fffff);
      const hash = blockHash(header);
      assert.ok(checkProofOfWork(hash, header.bits, regtest.powLimit));
      prev = hash;
    }
    // Announcements on the block stream: 1 header each, or 2 when two blocks came at once.
    const counts = all('headers', 'A', 1).map((h) => decoded(h, 'headers').headers.length);
    assert.deepEqual(counts, [2, 1, 1]);
  });

  it('getdata: MSG_BLOCK requests for the announced headers', () => {
    const [headersMsg] = all('headers', 'A', 0);
    const hashes = decoded(headersMsg, 'headers').headers.map((h) => toHex(blockHash(h.header)));
    const [first] = all('getdata', 'B', 0);
    const gd = decoded(first, 'getdata');
    assert.equal(gd.inventory.length, 16, '16 blocks in flight per peer');
    assert.ok(gd.inventory.every((i) => i.type === InvType.Block));
    assert.deepEqual(gd.inventory.map((i) => toHex(i.hash)), hashes.slice(0, 16));
  });

  it('block: raw bytes with hash, header and transactions that match the merkle root', () => {
    for (const m of all('block')) {
      const p = decoded(m, 'block');
      assert.equal(p.raw.length, m.payload.length);
      const block = decodeBlock(p.raw);
      assert.equal(p.txCount, block.txs.length);
      assert.equal(toHex(p.hash), toHex(blockHash(block.header)));
      assert.equal(toHex(merkleRoot(block.txs.map(txid))), toHex(block.header.merkleRoot));
    }
  });

  it('inv and tx: 20 transaction announcements, each tx hashing to its inv', () => {
    const [invMsg] = all('inv', 'A');
    const { inventory } = decoded(invMsg, 'inv');
    assert.equal(inventory.length, 20);
    assert.ok(inventory.every((i) => i.type === InvType.Tx));
    const announced = new Set(inventory.map((i) => toHex(i.hash)));
    for (const m of all('tx')) {
      const t = decoded(m, 'tx');
      assert.equal(toHex(t.txid), toHex(sha256d(m.payload)));
      assert.ok(announced.has(toHex(t.txid)), 'tx was announced');
    }
  });

  it('createstrm and streamack: the association ID from version, DATA1 stream, BlockPriority', () => {
    const assoc = decoded(all('version', 'B')[0], 'version').associationId!;
    const cs = decoded(all('createstrm')[0], 'createstrm');
    assert.equal(toHex(cs.associationId), toHex(assoc));
    assert.equal(cs.streamType, StreamType.Data1);
    assert.equal(cs.policy, 'BlockPriority');
    const ack = decoded(all('streamack')[0], 'streamack');
    assert.deepEqual({ ...ack, associationId: toHex(ack.associationId) }, { associationId: toHex(assoc), streamType: StreamType.Data1 });
  });

  it('cmpctblock, getblocktxn and blocktxn: the missing transaction requested by index and delivered', () => {
    const [cb] = all('cmpctblock');
    const c = decoded(cb, 'cmpctblock');
    const hash = blockHash(c.header);
    assert.equal(c.prefilled.length, 1, 'the coinbase is prefilled');
    assert.equal(c.prefilled[0].indexDelta, 0);
    const req = decoded(all('getblocktxn')[0], 'getblocktxn');
    assert.equal(toHex(req.blockHash), toHex(hash));
    assert.deepEqual(req.indexes, [1]);
    const resp = decoded(all('blocktxn')[0], 'blocktxn');
    assert.equal(toHex(resp.blockHash), toHex(hash));
    assert.equal(resp.txs.length, 1);
    const all2 = [c.prefilled[0].tx.txid, resp.txs[0].txid];
    assert.equal(c.shortIds.length + c.prefilled.length, 2);
    assert.equal(toHex(merkleRoot(all2)), toHex(c.header.merkleRoot));
    const [, second] = all('cmpctblock');
    const c2 = decoded(second, 'cmpctblock');
    assert.equal(c2.shortIds.length, 20, '20 relayed transactions by short id');
  });
});

/** Hex of payloads laid out field by field as the reference node serializes them. */
const GENESIS = '06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f';
const HASH_B = 'bb'.repeat(32);

function roundTrip<C extends Message['command']>(command: C, hex: string): MessageOf<C>['payload'] {
  const bytes = Buffer.from(hex, 'hex');
  const { message, trailing } = decodePayload(command, bytes);
  assert.equal(trailing, 0);
  assert.equal(toHex(encodePayload(message)), hex, `${command} re-encodes exactly`);
  return message.payload as MessageOf<C>['payload'];
}

describe('P2P messages absent from the capture, built from the reference serialization', () => {
  it('addr: count, then time, services, IPv6-mapped address and big-endian port', () => {
    const hex = '02' + 'c0a13567' + '2100000000000000' + '00000000000000000000ffff5db8d822' + '208d' + '01000000' + '0100000000000000' + '20010db8000000000000000000000001' + '479d';
    const { addresses } = roundTrip('addr', hex);
    assert.equal(addresses.length, 2);
    assert.equal(addresses[0].time, 0x6735a1c0);
    assert.equal(addresses[0].services, 0x21n);
    assert.equal(ipToString(addresses[0].ip), '93.184.216.34');
    assert.equal(addresses[0].port, 8333);
    assert.equal(ipToString(addresses[1].ip), '2001:db8::1');
    assert.equal(addresses[1].port, 18333);
  });

  it('notfound: an inventory vector', () => {
    const { inventory } = roundTrip('notfound', '02' + '01000000' + HASH_B + '02000000' + GENESIS);
    assert.deepEqual(inventory.map((i) => [i.type, toHex(i.hash)]), [[InvType.Tx, HASH_B], [InvType.Block, GENESIS]]);
  });

  it('getblocks: version, locator, stop hash', () => {
    const p = roundTrip('getblocks', '80110100' + '01' + GENESIS + '00'.repeat(32));
    assert.equal(p.version, 70016);
    assert.equal(toHex(p.locator[0]), GENESIS);
  });

  it('reject: command, code, reason, and the hash for tx and block', () => {
    const reason = Buffer.from('bad-txns-inputs-missingorspent').toString('hex');
    const p = roundTrip('reject', '02' + Buffer.from('tx').toString('hex') + '10' + '1e' + reason + HASH_B);
    assert.deepEqual({ ...p, hash: toHex(p.hash!) }, { message: 'tx', code: 0x10, reason: 'bad-txns-inputs-missingorspent', hash: HASH_B });
    const v = roundTrip('reject', '07' + Buffer.from('version').toString('hex') + '12' + '19' + Buffer.from('Duplicate version message').toString('hex'));
    assert.deepEqual(v, { message: 'version', code: 0x12, reason: 'Duplicate version message' });
  });

  it('mempool: empty, or SV\'s age form', () => {
    assert.deepEqual(roundTrip('mempool', ''), {});
    assert.deepEqual(roundTrip('mempool', '100e000000000000'), { age: 3600n });
  });

  it('authresp: 33-byte public key, nonce, DER signature', () => {
    const sig = '3044' + '0220' + '11'.repeat(32) + '0220' + '22'.repeat(32);
    const p = roundTrip('authresp', '21' + '02' + '33'.repeat(32) + '0807060504030201' + '46' + sig);
    assert.equal(p.publicKey.length, 33);
    assert.equal(p.nonce, 0x0102030405060708n);
    assert.equal(toHex(p.signature), sig);
  });

  it('version without the association ID (a peer that knows no streams) and with an empty one (ours)', () => {
    const [b] = all('version', 'B');
    const head = toHex(b.payload).slice(0, 2 * 104); // through relay
    const noAssoc = roundTrip('version', head);
    assert.equal(noAssoc.relay, true);
    assert.equal(noAssoc.associationId, undefined);
    const emptyAssoc = roundTrip('version', head + '00');
    assert.equal(emptyAssoc.associationId?.length, 0);
    assert.equal(Buffer.from(head + '00', 'hex').length, 105, 'SV Node\'s 105-byte version toward a peer without association');
  });

  it('protoconf with one field, and with fields from a newer version left unread', () => {
    assert.deepEqual(roundTrip('protoconf', '01' + '00001000'), { numberOfFields: 1, maxRecvPayloadLength: 0x100000 });
    const newer = decodePayload('protoconf', Buffer.from('03' + '00002000' + '07' + Buffer.from('Default').toString('hex') + 'abcd', 'hex'));
    assert.deepEqual(newer.message.payload, { numberOfFields: 3, maxRecvPayloadLength: 0x200000, streamPolicies: 'Default' });
    assert.equal(newer.trailing, 2);
  });
});

describe('malformed payloads are refused with the field named', () => {
  const cases: [Message['command'], string, RegExp][] = [
    ['version', '80110100', /version\.services/],
    ['protoconf', '00', /protoconf\.numberOfFields/],
    ['ping', '0102', /ping\.nonce/],
    ['headers', 'fd0100', /headers\.headers: non-minimal/],
    ['headers', '02' + '00'.repeat(81), /headers\.headers\[1\]/],
    ['inv', 'ff0000000001000000', /inv\.inventory/],
    ['reject', '0d' + '61'.repeat(13), /reject\.message/],
    ['getblocktxn', HASH_B + '02' + 'feffffffff' + '00', /getblocktxn\.indexes\[1\]: indexes overflowed 32 bits/],
    ['tx', '01000000' + '01' + '00'.repeat(36) + 'fd', /tx\.inputs\[0\]/],
    ['block', '00'.repeat(80) + '05' + '00'.repeat(20), /block\.txs/],
    ['authresp', '22' + '00'.repeat(34), /authresp\.publicKey/],
    ['createstrm', 'ff', /createstrm\.associationId/],
  ];
  for (const [command, hex, pattern] of cases) {
    it(`${command} ${hex.slice(0, 24)}…`, () => {
      assert.throws(() => decodePayload(command, Buffer.from(hex, 'hex')), (e: Error) => {
        assert.match(e.message, pattern);
        return (e as { code?: string }).code === 'MALFORMED';
      });
    });
  }
});
