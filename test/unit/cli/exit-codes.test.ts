import assert from 'node:assert/strict';
import { it } from 'node:test';
import { InterruptedError, StoreCapabilityError } from '../../../src/app/errors.ts';
import { exitCodeFor } from '../../../src/cli/exit-codes.ts';
import { NameListError } from '../../../src/decoy/errors.ts';
import { BusyError, CounterseedError, InputError, NotFoundError } from '../../../src/domain/errors.ts';
import { DataPurposeError } from '../../../src/domain/data-purpose.ts';
import { CanonicalEncodingError, EvidenceError } from '../../../src/evidence/errors.ts';
import { ExportError } from '../../../src/exports/errors.ts';
import { LabConfigError, LabError } from '../../../src/lab/errors.ts';
import { PayloadError } from '../../../src/payload/errors.ts';
import { ValidationError } from '../../../src/validation/errors.ts';

it('maps every named error to the exit code the README documents (2 bad input, 3 not found, 70 internal)', () => {
  const cases: [unknown, number][] = [
    [new InputError('x'), 2], [new NameListError([{ line: 1, message: 'x' }]), 2], [new PayloadError('x'), 2], [new ExportError('x'), 2],
    [new LabConfigError('x'), 2], [new StoreCapabilityError('x'), 2], [new InterruptedError(), 130],
    [new NotFoundError('x'), 3], [new BusyError('x'), 75], [new DataPurposeError('x'), 77],
    [new EvidenceError('x'), 70], [new CanonicalEncodingError('x'), 70],
    [new ValidationError('x'), 1], [new ValidationError('x', 2), 2], [new LabError('x'), 1], [new CounterseedError('x'), 1],
    [new Error('x'), 70], [new TypeError('x'), 70], ['a string', 70], [undefined, 70],
  ];
  assert.deepEqual(cases.map(([e]) => exitCodeFor(e)), cases.map(([, code]) => code));
});

it('a command stopped by SIGINT/SIGTERM exits 128 + signal, unless it threw a named error first', () => {
  assert.equal(exitCodeFor(new Error('aborted'), 'SIGINT'), 130);
  assert.equal(exitCodeFor(new Error('aborted'), 'SIGTERM'), 143);
  // A use case that stopped on the signal (decoys write: it exited 2, as bad input) exits like every long command.
  assert.equal(exitCodeFor(new InterruptedError(), 'SIGINT'), 130);
  assert.equal(exitCodeFor(new InterruptedError(), 'SIGTERM'), 143);
  assert.equal(exitCodeFor(new Error('aborted')), 70);
});

it('each exit code has one meaning, and the README table lists exactly the codes src/cli/exit-codes.ts defines', async () => {
  const { EXIT } = await import('../../../src/cli/exit-codes.ts');
  const { EXIT_EVIDENCE_LOST } = await import('../../../src/cli/commands/seed.ts');
  const codes = Object.values(EXIT);
  assert.equal(new Set(codes).size, codes.length, `a code used for two meanings: ${JSON.stringify(EXIT)}`);
  // Evidence lost at stop had 74, "the system refused": a refused command did nothing, a node that lost records ran.
  assert.equal(EXIT_EVIDENCE_LOST, 73);
  const { readFileSync } = await import('node:fs');
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const table = [...readme.matchAll(/^\| ([\d, ]+?) +\| /gm)].flatMap((m) => m[1]!.split(',').map((c) => Number(c.trim())));
  assert.deepEqual(table.filter((c) => c < 128).sort((a, b) => a - b), [...codes].sort((a, b) => a - b));
  assert.match(readme, /^\| 73 +\| evidence lost: `seed` stopped with observations/m);
  assert.doesNotMatch(readme.match(/^\| 74 .*$/m)![0], /seed/, '74 no longer also means evidence lost');
});
