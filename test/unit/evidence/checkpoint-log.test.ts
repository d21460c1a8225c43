import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CheckpointLog } from '../../../src/evidence/checkpoint-log.ts';

const cp = (n: number) => ({ text: JSON.stringify({ at: n, head: 'h', node: 'n', root: 'r', tree_size: n, type: 'counterseed-checkpoint/v2' }), signature: `sig${n}` });

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
});
