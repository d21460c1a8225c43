import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { effectiveSettings } from '../../../src/app/config.ts';
import { GLOBAL_SETTINGS, parseCommandArgs } from '../../../src/cli/args.ts';
import { COMMANDS } from '../../../src/cli/commands/index.ts';
import { loadSettings } from '../../../src/config/load.ts';
import { SETTINGS, type SettingName } from '../../../src/config/settings.ts';

// Issue 15 item 11.
describe('settings: one naming, every documented flag accepted somewhere', () => {
  const load = (json: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-cfg-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(json));
    return loadSettings({ flags: { dataDir: dir }, env: {} });
  };

  it('config.json takes keys dotted or nested', () => {
    assert.equal(load({ 'seed.port': 7001 }).port, 7001);
    assert.equal(load({ seed: { port: 7002, uploadSlots: 3 }, 'evidence.checkpointEvery': 50 }).port, 7002);
    assert.equal(load({ seed: { port: 7002, uploadSlots: 3 } }).uploadSlots, 3);
    assert.equal(load({ evidence: { checkpointEvery: 50 } }).checkpointEvery, 50);
    assert.throws(() => load({ seed: { prot: 1 } }), /unknown setting "seed\.prot"/);
    assert.throws(() => load({ seed: { port: 1 }, 'seed.port': 2 }), /"seed\.port" is given twice/);
  });

  it('what config show prints is a config.json that loads back to the same settings', () => {
    const s = load({ seed: { port: 7003 }, 'tracker.urls': ['http://127.0.0.1:6969/announce'] });
    const shown = effectiveSettings(s);
    assert.deepEqual((shown.seed as Record<string, unknown>).port, 7003);
    assert.equal('seed.port' in shown, false);
    const again = load(shown);
    assert.deepEqual({ ...again, dataDir: '' }, { ...s, dataDir: '' });
  });

  it('every setting\'s flag is accepted by at least one command (config docs lists them as flags)', async () => {
    const cmds = await Promise.all(COMMANDS.map((c) => c.load()));
    for (const name of Object.keys(SETTINGS) as SettingName[]) {
      if (GLOBAL_SETTINGS.includes(name)) continue;
      assert.ok(cmds.some((c) => c.settings?.includes(name)), `${SETTINGS[name].flag} is accepted by no command`);
    }
    const seed = cmds.find((c) => c.name === 'seed')!;
    const { settingFlags } = parseCommandArgs(seed, ['--checkpoint-every', '5', '--ntp-server', 'time.example.org']);
    assert.deepEqual(settingFlags, { checkpointEvery: '5', ntpServer: 'time.example.org' });
  });
});
