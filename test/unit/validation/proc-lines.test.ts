import assert from 'node:assert/strict';
import { it } from 'node:test';
import { run } from '../../../src/validation/proc.ts';

/**
 * run() keeps only a bounded tail of stdout; a caller that needs every line (the capture reader:
 * tshark prints a row per packet) must get all of them, in order, the last one even without its
 * newline. Before, the capture reader parsed the tail, and a 12-download validation lost its first
 * three connections.
 */
it('run() hands every stdout line to onStdoutLine, well past the bounded tail, the last one without a newline too', async () => {
  const n = 40_000; // ~1.4 MB of output, over five times the 256 KiB tail
  const script = `let s = ''; for (let i = 0; i < ${n}; i++) s += 'row ' + String(i).padStart(8, '0') + ' ' + 'x'.repeat(20) + '\\n'; process.stdout.write(s + 'last-without-newline');`;
  const lines: string[] = [];
  const r = await run(process.execPath, ['-e', script], { timeoutMs: 30_000, onStdoutLine: (l) => lines.push(l) });
  assert.equal(r.code, 0);
  assert.ok(r.stdout.length < 300 * 1024, 'stdout itself stays bounded');
  assert.equal(lines.length, n + 1);
  assert.equal(lines[0], `row 00000000 ${'x'.repeat(20)}`);
  assert.equal(lines[n - 1], `row ${String(n - 1).padStart(8, '0')} ${'x'.repeat(20)}`);
  assert.equal(lines[n], 'last-without-newline');
});
