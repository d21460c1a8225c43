import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CheckpointLog } from '../../../src/evidence/checkpoint-log.ts';

const cp = (n: number, at = n) => ({ text: JSON.stringify({ at, head: 'h', node: 'n', root: 'r', tree_size: n, type: 'counterseed-checkpoint/v2' }), signature: `sig${n}` });

describe('checkpoint log file', () => {
  it('appends one line per checkpoint; last() reads the tail, skipping a line torn by a crash', () => {
    const log = new CheckpointLog(join(mkdtempSync(join(tmpdir(), 'cs-cplog-')), 'checkpoints.ndjson'));
    assert.equal(log.last(), undefined);
    for (let i = 1; i <= 400; i++) log.append(cp(i)); // more than the 64 KiB tail
    assert.equal(log.all().length, 400);
    assert.equal(log.last()!.body.tree_size, 400);
    appendFileSync(log.path, '{"signature":"torn');
    assert.equal(log.last()!.body.tree_size, 400);
    assert.equal(log.all().length, 400);
  });

  it('a package proves consistency with the newest 1,000 published checkpoints and the last of every earlier UTC day', () => {
    const log = new CheckpointLog(join(mkdtempSync(join(tmpdir(), 'cs-cplog-')), 'checkpoints.ndjson'));
    const hour = 3_600_000;
    for (let i = 1; i <= 1200; i++) log.append(cp(i, i * hour)); // 50 days of hourly checkpoints
    const sizes = log.forPackage(1150).map((c) => c.body.tree_size);
    assert.deepEqual(sizes.slice(-1000), Array.from({ length: 1000 }, (_, k) => 151 + k), 'the newest 1,000 up to the package');
    const older = sizes.slice(0, -1000);
    assert.deepEqual(older, [23, 47, 71, 95, 119, 143, 150], 'the last of each day (hour 23 of each), and the last before the recent ones');
  });
});
