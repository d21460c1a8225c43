import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseTsharkFields } from '../../helpers/capture.ts';

// Columns: time, tcp.stream, ip.src, tcp.srcport, ip.dst, tcp.dstport, syn, ack, tcp.len
it('reconstructs connections to the server port from tshark field rows', () => {
  const rows = [
    '0.100,0,198.18.0.11,40001,198.18.0.2,6881,1,0,0',      // SYN: connection A starts
    '0.101,0,198.18.0.2,6881,198.18.0.11,40001,1,1,0',      // SYN-ACK
    '0.102,0,198.18.0.11,40001,198.18.0.2,6881,0,1,68',     // handshake
    '0.103,0,198.18.0.2,6881,198.18.0.11,40001,0,1,16397',  // a piece
    '0.050,1,198.18.0.12,40002,198.18.0.2,6881,0,1,500',    // stream whose SYN preceded the capture: ignored
    '0.200,2,198.18.0.13,40003,198.18.0.2,6881,True,False,0', // newer tshark prints booleans
    '0.201,2,198.18.0.2,6881,198.18.0.13,40003,False,True,100',
    '0.300,3,198.18.0.14,40004,198.18.0.2,9999,1,0,0',      // another port: not ours
  ].join('\n');
  const conns = parseTsharkFields(rows, 6881);
  assert.deepEqual(conns.map((c) => [c.srcIp, c.srcPort, c.bytesToServer, c.bytesFromServer]), [
    ['198.18.0.11', 40001, 68, 16397],
    ['198.18.0.13', 40003, 0, 100],
  ]);
  assert.equal(conns[0]!.synTime, 0.1);
});

it('rejects malformed rows instead of guessing', () => {
  assert.throws(() => parseTsharkFields('0.1,0,198.18.0.11', 6881), /malformed tshark row/);
});
