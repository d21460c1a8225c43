import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { createServer } from 'node:net';
import { httpGet, parseReply } from '../../../src/bittorrent/tracker/client/http-get.ts';

const reply = (s: string) => Buffer.from(s, 'latin1');

test('parseReply: the body of a 200, Content-Length honoured; anything else refused with a reason', () => {
  assert.equal(Buffer.from(parseReply(reply('HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA'), 100)).toString(), 'hello');
  assert.equal(Buffer.from(parseReply(reply('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nd8:intervali1ee'), 100)).toString(), 'd8:intervali1ee');
  assert.throws(() => parseReply(reply('HTTP/1.1 404 Not Found\r\n\r\n'), 100), /HTTP status 404/);
  assert.throws(() => parseReply(reply('HTTP/1.0 200 OK\r\nContent-Length: 50\r\n\r\nshort'), 100), /closed before the response ended/);
  assert.throws(() => parseReply(reply('HTTP/1.0 200 OK\r\nContent-Length: 500\r\n\r\n'), 100), /exceeds 100/);
  assert.throws(() => parseReply(reply(`HTTP/1.0 200 OK\r\n\r\n${'x'.repeat(101)}`), 100), /exceeds 100/);
  // A presented client's HTTP/1.1 request may get a chunked answer (issue 10 item 3): joined, bounded.
  assert.equal(Buffer.from(parseReply(reply('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;x=1\r\n123\r\n0\r\n\r\n'), 100)).toString(), 'hello123');
  assert.throws(() => parseReply(reply('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n' + 'x'.repeat(101) + '\r\n0\r\n\r\n'), 100), /exceeds 100/);
  assert.throws(() => parseReply(reply('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'), 100), /bad chunk size/);
  assert.throws(() => parseReply(reply('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nhello'), 100), /transfer-encoding/);
  // Compressed answers (a presented client says it accepts them) are decoded within the same bound.
  assert.equal(Buffer.from(parseReply(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n'), gzipSync('d8:intervali1ee')]), 100)).toString(), 'd8:intervali1ee');
  assert.throws(() => parseReply(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n'), gzipSync(Buffer.alloc(1000))]), 100), /bad gzip response body/);
  assert.throws(() => parseReply(reply('SSH-2.0-OpenSSH\r\n\r\n'), 100), /not an HTTP response/);
  assert.throws(() => parseReply(reply('HTTP/1.0 200 OK\r\nContent-Length: 5'), 100), /head ended/);
});

test('httpGet: sends an HTTP/1.0 GET with the path and query; a server that never stops talking is cut off at the bound', async () => {
  let request = '';
  const server = createServer((s) => {
    s.once('data', (d) => {
      request = d.toString('latin1');
      if (request.includes('/flood')) { const chunk = Buffer.alloc(64 * 1024, 0x61); const pump = () => { while (!s.destroyed && s.write(chunk)); }; s.on('drain', pump); s.write('HTTP/1.0 200 OK\r\n\r\n'); pump(); return; }
      s.end('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  try {
    const body = await httpGet(new URL(`http://127.0.0.1:${port}/announce?info_hash=%00%FF&port=1`), { localAddress: '127.0.0.1', maxBodyBytes: 1024 }).done;
    assert.equal(Buffer.from(body).toString(), 'ok');
    assert.match(request, /^GET \/announce\?info_hash=%00%FF&port=1 HTTP\/1\.0\r\nHost: 127\.0\.0\.1:\d+\r\n/);
    await assert.rejects(httpGet(new URL(`http://127.0.0.1:${port}/flood`), { maxBodyBytes: 100_000 }).done, /exceeds 100000 bytes/);
  } finally {
    server.close();
  }
});

test('httpGet with a presented client\'s headers: HTTP/1.1, the headers in their order, done at Content-Length on a kept-alive connection', async () => {
  let request = '';
  const server = createServer((s) => {
    s.once('data', (d) => {
      request = d.toString('latin1');
      // Keep-alive: the server never closes; the client must finish on Content-Length.
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\nd8:intervali1ee');
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const headers: [string, string][] = [['Host', `127.0.0.1:${port}`], ['User-Agent', 'Example/1.0'], ['Accept-Encoding', 'gzip']];
    const got = httpGet(new URL(`http://127.0.0.1:${port}/announce?x=1`), { maxBodyBytes: 1000, headers });
    const body = await Promise.race([got.done, new Promise<never>((_r, j) => setTimeout(() => j(new Error('still waiting for the server to close')), 5000))]);
    assert.equal(Buffer.from(body).toString(), 'd8:intervali1ee');
    assert.equal(request, `GET /announce?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: Example/1.0\r\nAccept-Encoding: gzip\r\n\r\n`);
  } finally {
    server.close();
  }
});
