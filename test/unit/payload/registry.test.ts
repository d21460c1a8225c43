import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFoundError, InputError } from '../../../src/domain/errors.ts';
import { MemoryPayloadCatalog, PayloadError, PayloadRegistry } from '../../../src/payload/index.ts';

function setup(maxBytes?: number) {
  const root = mkdtempSync(join(tmpdir(), 'cs-payload-'));
  const dataDir = join(root, 'data');
  const catalog = new MemoryPayloadCatalog();
  let clock = 1_700_000_000_000;
  const registry = new PayloadRegistry({ dir: dataDir, catalog, now: () => clock++, ...(maxBytes ? { maxBytes } : {}) });
  const file = (name: string, content: Uint8Array | string) => {
    const p = join(root, name);
    writeFileSync(p, content);
    return p;
  };
  return { root, dataDir, catalog, registry, file, done: () => rmSync(root, { recursive: true, force: true }) };
}

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

test('add stores content-addressed, read-only, and records metadata', (t) => {
  const s = setup(); t.after(s.done);
  const content = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(3000, 7)]);
  const p = s.registry.add(s.file('holiday-video-0042.mp4', content));
  assert.equal(p.id, sha256(content));
  assert.equal(p.size, content.length);
  assert.equal(p.label, 'holiday-video-0042.mp4');
  assert.equal(p.mediaType, 'video/mp4');
  assert.equal(p.addedAt, 1_700_000_000_000);
  const stored = join(s.dataDir, 'payloads', p.id);
  assert.equal(s.registry.path(p.id), stored);
  assert.deepEqual(readFileSync(stored), content);
  assert.equal(statSync(stored).mode & 0o777, 0o444);
  // No temp files left behind.
  assert.deepEqual(readdirSync(join(s.dataDir, 'payloads')), [p.id]);
  assert.deepEqual(s.registry.get(p.id), p);
  assert.deepEqual(s.registry.list(), [p]);
  assert.equal(s.registry.isRegistered(p.id), true);
  assert.deepEqual(Buffer.from(s.registry.bytes(p.id)), content);
});

test('add is idempotent: same bytes under another name give the same Payload', (t) => {
  const s = setup(); t.after(s.done);
  const a = s.registry.add(s.file('a.bin', 'same bytes'), { label: 'first' });
  const mtime = statSync(join(s.dataDir, 'payloads', a.id)).mtimeMs;
  const b = s.registry.add(s.file('b.bin', 'same bytes'), { label: 'second' });
  assert.deepEqual(b, a);
  assert.equal(b.label, 'first');
  assert.equal(s.registry.list().length, 1);
  assert.equal(statSync(join(s.dataDir, 'payloads', a.id)).mtimeMs, mtime);
  const c = s.registry.add(s.file('c.bin', 'other bytes'));
  assert.notEqual(c.id, a.id);
  assert.equal(s.registry.list().length, 2);
});

test('add rejects missing, directory, empty and oversize files with clear errors', (t) => {
  const s = setup(100); t.after(s.done);
  const dir = join(s.root, 'adir'); mkdirSync(dir);
  const cases: [string, RegExp][] = [
    [join(s.root, 'nope.mp4'), /payload file not found: .*nope\.mp4/],
    [dir, /adir is a directory, not a regular file/],
    [s.file('empty.mp4', ''), /empty\.mp4 is empty/],
    [s.file('big.mp4', Buffer.alloc(101)), /big\.mp4 is 101 bytes, over the limit of 100 bytes/],
  ];
  for (const [path, msg] of cases) {
    assert.throws(() => s.registry.add(path), (e: unknown) => e instanceof PayloadError && e instanceof InputError && msg.test(e.message));
  }
  assert.throws(() => s.registry.add('/dev/null'), /not a regular file/);
  assert.equal(s.registry.list().length, 0);
  // Exactly at the limit is fine.
  assert.equal(s.registry.add(s.file('ok.mp4', Buffer.alloc(100, 1))).size, 100);
});

test('add rejects bad labels', (t) => {
  const s = setup(); t.after(s.done);
  const f = s.file('x.bin', 'x');
  assert.throws(() => s.registry.add(f, { label: '' }), /label is empty/);
  assert.throws(() => s.registry.add(f, { label: 'a\nb' }), /control characters/);
  assert.throws(() => s.registry.add(f, { label: 'a'.repeat(256) }), /longer than 255/);
});

test('get/isRegistered handle unknown and malformed ids', (t) => {
  const s = setup(); t.after(s.done);
  assert.throws(() => s.registry.get('0'.repeat(64)), NotFoundError);
  assert.throws(() => s.registry.get('../../etc/passwd'), NotFoundError);
  assert.throws(() => s.registry.bytes('0'.repeat(64)), NotFoundError);
  assert.equal(s.registry.isRegistered('0'.repeat(64)), false);
  assert.equal(s.registry.isRegistered('nope'), false);
});

test('bytes detects on-disk tampering (same size and different size) and a missing file', (t) => {
  const s = setup(); t.after(s.done);
  const a = s.registry.add(s.file('a.bin', 'original content A'));
  const b = s.registry.add(s.file('b.bin', 'original content B'));
  const c = s.registry.add(s.file('c.bin', 'original content C'));
  const pa = join(s.dataDir, 'payloads', a.id);
  chmodSync(pa, 0o644); writeFileSync(pa, 'tampered content A'); // same length
  assert.throws(() => s.registry.bytes(a.id), (e: unknown) => e instanceof PayloadError && e.message.startsWith(`payload ${a.id} was modified on disk`));
  const pb = join(s.dataDir, 'payloads', b.id);
  chmodSync(pb, 0o644); writeFileSync(pb, 'longer tampered content B');
  assert.throws(() => s.registry.bytes(b.id), /was modified on disk .*expected 18 bytes, found 25/);
  rmSync(join(s.dataDir, 'payloads', c.id));
  assert.throws(() => s.registry.bytes(c.id), /is missing from disk/);
  // Re-adding the original bytes restores the stored copy.
  assert.deepEqual(s.registry.add(s.file('a2.bin', 'original content A')), a);
  assert.equal(Buffer.from(s.registry.bytes(a.id)).toString(), 'original content A');
});

test('bytes caches verified content', (t) => {
  const s = setup(); t.after(s.done);
  const a = s.registry.add(s.file('a.bin', 'cache me'));
  const first = s.registry.bytes(a.id);
  assert.equal(s.registry.bytes(a.id), first);
});

test('a second registry over the same data dir and catalog reads what the first stored', (t) => {
  const s = setup(); t.after(s.done);
  const a = s.registry.add(s.file('a.bin', 'persisted'));
  const again = new PayloadRegistry({ dir: s.dataDir, catalog: s.catalog });
  assert.equal(Buffer.from(again.bytes(a.id)).toString(), 'persisted');
});

test('large files are hashed in chunks correctly', (t) => {
  const s = setup(); t.after(s.done);
  const big = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
  const p = s.registry.add(s.file('big.bin', big));
  assert.equal(p.id, sha256(big));
  assert.equal(p.size, big.length);
});
