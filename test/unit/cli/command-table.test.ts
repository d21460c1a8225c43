import assert from 'node:assert/strict';
import { it } from 'node:test';
import { COMMANDS } from '../../../src/cli/commands/index.ts';

it('every command in the table loads, under the name the table gives it, once', async () => {
  const names = COMMANDS.map((c) => c.name);
  assert.equal(new Set(names).size, names.length, 'no duplicate names');
  for (const entry of COMMANDS) {
    const cmd = await entry.load();
    assert.equal(cmd.name, entry.name);
    assert.equal(typeof cmd.run, 'function');
    assert.ok(cmd.summary.length > 10, `${cmd.name} has a summary`);
  }
});
