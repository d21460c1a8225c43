import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadSettings } from '../../../src/config/load.ts';
import { settingsMarkdown } from '../../../src/config/docs.ts';
import { SETTINGS } from '../../../src/config/settings.ts';

const dataDir = () => mkdtempSync(join(tmpdir(), 'cs-cfg-'));

describe('settings table', () => {
  it('applies defaults < config.json < env < flags', () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ 'seed.port': 7000, 'seed.uploadSlots': 9 }));
    const s = loadSettings({ flags: { dataDir: dir, uploadSlots: '12' }, env: { COUNTERSEED_MODE: 'lab' } });
    assert.equal(s.port, 7000);
    assert.equal(s.uploadSlots, 12);
    assert.equal(s.maxRequestQueue, SETTINGS.maxRequestQueue.default);
  });

  it('rejects bad values with the setting named', () => {
    assert.throws(() => loadSettings({ flags: { dataDir: dataDir(), port: '70000' }, env: {} }), /seed\.port.*0\.\.65535/);
    assert.throws(() => loadSettings({ flags: { dataDir: dataDir(), allowPlaintext: 'maybe' }, env: {} }), /true or false/);
    assert.throws(() => loadSettings({ flags: { dataDir: dataDir(), mode: 'prod' }, env: {} }), /lab, live/);
  });

  it('rejects unknown keys and broken JSON in config.json', () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'config.json'), '{"seed.prot": 1}');
    assert.throws(() => loadSettings({ flags: { dataDir: dir }, env: {} }), /unknown setting "seed\.prot"/);
    writeFileSync(join(dir, 'config.json'), '{"seed.port": ');
    assert.throws(() => loadSettings({ flags: { dataDir: dir }, env: {} }), /not valid JSON/);
  });

  it('lab mode refuses public trackers and public bind addresses; live mode allows them', () => {
    const dir = dataDir();
    assert.throws(() => loadSettings({ flags: { dataDir: dir, trackers: ['udp://tracker.example.org:1337/announce'] }, env: {} }), /--mode live/);
    assert.throws(() => loadSettings({ flags: { dataDir: dir, bind: '192.0.2.10' }, env: {} }), /lab mode binds loopback/);
    assert.throws(() => loadSettings({ flags: { dataDir: dir, bind: '0.0.0.0' }, env: {} }), /lab mode binds loopback/);
    const live = loadSettings({ flags: { dataDir: dir, mode: 'live', trackers: ['udp://tracker.example.org:1337/announce'] }, env: {} });
    assert.deepEqual(live.trackers, ['udp://tracker.example.org:1337/announce']);
    assert.doesNotThrow(() => loadSettings({ flags: { dataDir: dir, trackers: ['http://198.18.0.2:6969/announce'] }, env: {} }));
  });

  it('lab mode: IPv6 loopback and the documentation prefix 2001:db8::/32 in any spelling; no public or wildcard IPv6 address', () => {
    const dir = dataDir();
    for (const a of ['::1', '0:0:0:0:0:0:0:1', '2001:db8::2', '2001:0DB8:0:0::2']) assert.doesNotThrow(() => loadSettings({ flags: { dataDir: dir, addresses: [a] }, env: {} }), a);
    assert.doesNotThrow(() => loadSettings({ flags: { dataDir: dir, trackers: ['http://[2001:db8::1]:6969/announce'] }, env: {} }));
    for (const a of ['::', '2001:db9::2', '2a01:79c::1', '0.0.0.0']) assert.throws(() => loadSettings({ flags: { dataDir: dir, addresses: [a] }, env: {} }), /lab mode binds loopback/, a);
    assert.throws(() => loadSettings({ flags: { dataDir: dir, trackers: ['udp://[2a01:79c::1]:6969'] }, env: {} }), /--mode live/);
    assert.throws(() => loadSettings({ flags: { dataDir: dir, addresses: ['example.org'] }, env: {} }), /not an IP address/);
  });

  it('documents every setting once', () => {
    const md = settingsMarkdown();
    for (const s of Object.values(SETTINGS)) assert.equal(md.split(`\`${s.key}\``).length - 1, 1, s.key);
  });
});
