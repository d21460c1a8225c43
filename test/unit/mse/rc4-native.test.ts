import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Rc4 } from '../../../src/bittorrent/mse/rc4.ts';

const RC4 = fileURLToPath(new URL('../../../src/bittorrent/mse/rc4.ts', import.meta.url));

it('native (OpenSSL legacy provider) and JavaScript RC4 produce the same stream across chunking and discard', () => {
  const key = new Uint8Array(20).map((_, i) => i * 7 + 3);
  const script = `import { Rc4, NATIVE_RC4 } from ${JSON.stringify(RC4)};
    if (!NATIVE_RC4) throw new Error('legacy provider not loaded');
    const r = new Rc4(new Uint8Array(${JSON.stringify([...key])}));
    r.discard(1024);
    const a = r.process(new Uint8Array(1000)), b = r.process(new Uint8Array(70000).fill(0x5a));
    process.stdout.write(Buffer.concat([a, b]).toString('hex'));`;
  const child = spawnSync(process.execPath, ['--openssl-legacy-provider', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const js = new Rc4(key, { native: false });
  js.discard(1024);
  const expected = Buffer.concat([js.process(new Uint8Array(1000)), js.process(new Uint8Array(70000).fill(0x5a))]).toString('hex');
  assert.equal(child.stdout, expected);
});
