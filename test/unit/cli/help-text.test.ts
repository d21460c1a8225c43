import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { helpText } from '../../../src/cli/args.ts';
import { COMMANDS } from '../../../src/cli/commands/index.ts';

// Issue 15 item 12: run-together flags, bare VALUE placeholders, -h refused, an unknown subcommand dumped all help.
const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });

it('every help text: placeholders that say what goes there, and flag and text apart', async () => {
  for (const c of await Promise.all(COMMANDS.map((e) => e.load()))) {
    const text = helpText(c);
    assert.doesNotMatch(text, /\bVALUE\b/, c.name);
    for (const line of text.split('\n').filter((l) => /^ {2}-/.test(l))) {
      // "  --flag ARG" then two spaces and the text, or the flag alone on its line (text on the next).
      assert.match(line, /^ {2}(-h, )?--[a-z-]+( \S+)?( {2,}\S.*)?$/, `${c.name}: ${JSON.stringify(line)}`);
    }
  }
});

it('-h works like --help', () => {
  const r = run('deliveries', '-h');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: counterseed deliveries/);
  assert.equal(run('-h').status, 0);
});

it('an unknown subcommand is named, with the group\'s commands listed (exit 2), not every help text', () => {
  const r = run('decoys', 'frob');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown subcommand "decoys frob"/);
  assert.match(r.stderr, /decoys build/);
  assert.doesNotMatch(r.stdout + r.stderr, /Usage: counterseed decoys build/);
});
