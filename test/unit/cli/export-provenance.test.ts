import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { infoHashFromHex } from '../../../src/domain/info-hash.ts';
import { jsonLdQuads, validateCaseQuads } from '../../helpers/case-shacl.ts';
import { decodeExtendedHandshake } from '../../../src/bittorrent/wire/extended.ts';
import { RawPeer } from '../../helpers/raw-peer.ts';
import { evidenceFixture } from '../evidence/fixture.ts';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });

interface ToolJson {
  config: { port: number }; config_of: string; records_before_first_run: number;
  node_runs: { first_seq: number; records: number; started_at: string; settings: { port: number; trackerServerPort: number }; presented: { peerPort: number; trackerHttp?: string; peerId: string; client: { reserved: string; clientVersion: string; reqq: number; extensions: Record<string, number> } } }[];
}

describe('evidence export: what a package says about how its records were made (issue 15, item 10)', () => {
  it('tool.json names the node run that recorded the deliveries, with the port it listened on, apart from the exporter\'s own settings', async () => {
    const data = mkdtempSync(join(tmpdir(), 'cs-runs-'));
    writeFileSync(join(data, 'names.txt'), 'holiday-video-0042.mp4\n');
    assert.equal(cli('--data', data, 'decoys', 'build', '--names', join(data, 'names.txt')).status, 0);
    const [decoy] = JSON.parse(cli('--data', data, 'decoys', 'list', '--json').stdout) as { infoHash: string; size: number; pieceLength: number }[];
    // Port 0: the port the node presents is known only once it listens, and is not the export's default (6881).
    const child = spawn(process.execPath, [MAIN, '--data', data, 'seed', '--port', '0', '--tracker-server', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let ready: { peerPort: number; trackerHttp: string };
    let presentedPeerId = '';
    let shown: { reserved: string; v: string | undefined; reqq: number | undefined; m: Record<string, number> } | undefined;
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('seed did not become ready')), 15_000);
        createInterface({ input: child.stdout! }).on('line', (l) => { if (l.startsWith('ready ')) { clearTimeout(t); resolve(l); } });
      });
      ready = JSON.parse(line.slice(6)) as typeof ready;
      const peer = await RawPeer.connect(ready.peerPort);
      await peer.sendHandshake(infoHashFromHex(decoy!.infoHash), new Uint8Array(Buffer.from('-LT2080-abcdefghijkl', 'latin1')));
      const ext = decodeExtendedHandshake((await peer.waitFor('extended')).payload);
      await peer.waitFor('have-all');
      presentedPeerId = Buffer.from(peer.handshake!.peerId).toString('hex');
      shown = { reserved: Buffer.from(peer.handshake!.reserved).toString('hex'), v: ext.v, reqq: ext.reqq, m: Object.fromEntries(ext.m) };
      peer.send({ type: 'interested' });
      await peer.waitFor('unchoke');
      peer.send({ type: 'request', index: 0, begin: 0, length: Math.min(16384, decoy!.size) });
      await peer.waitUntil(() => peer.received.some((m) => m.type === 'piece'), 10_000, 'a piece');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }

    const out = join(data, 'package');
    const r = cli('--data', data, 'evidence', 'export', '--ip', '127.0.0.1', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    const tool = JSON.parse(readFileSync(join(out, 'tool.json'), 'utf8')) as ToolJson;
    const [header, ...rows] = readFileSync(join(out, 'deliveries.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const localPort = header!.indexOf('local_port');
    assert.equal(rows.length, 1);
    assert.equal(tool.node_runs.length, 1);
    const run = tool.node_runs[0]!;
    assert.equal(Number(rows[0]![localPort]), ready.peerPort);
    assert.equal(run.presented.peerPort, ready.peerPort, 'the package agrees with its deliveries.csv');
    assert.equal(run.presented.trackerHttp, ready.trackerHttp);
    assert.equal(run.presented.peerId, presentedPeerId, 'the peer id the node sent in its handshake');
    // Issue 10 item 3: the client values the peer saw are the ones the record names.
    const c = run.presented.client;
    assert.deepEqual({ reserved: c.reserved, v: c.clientVersion, reqq: c.reqq, m: c.extensions }, shown);
    assert.doesNotMatch(JSON.stringify(c) + Buffer.from(presentedPeerId, 'hex').toString('latin1'), /counterseed|CS0010/i);
    assert.deepEqual([run.settings.port, run.settings.trackerServerPort], [0, 0]);
    assert.equal(tool.config.port, 6881, 'config stays the exporter\'s own settings (its hash is in the manifest)');
    assert.match(tool.config_of, /export command/);
    const records = readFileSync(join(out, 'records.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; kind: string });
    assert.equal(run.records + tool.records_before_first_run, records.length);
    // Only the clock record the node wrote while starting precedes the run's row (tool.json's node_runs_note says so).
    assert.deepEqual(records.filter((x) => x.seq < run.first_seq).map((x) => x.kind), ['clock']);
    assert.ok(records.some((x) => x.kind === 'delivery' && x.seq >= run.first_seq));
    assert.equal(cli('evidence', 'verify', out).status, 0);
    // A real node's delivery, as CASE/UCO 1.4.0 judges it (see test/unit/exports/case-conformance.test.ts).
    assert.deepEqual(await validateCaseQuads(await jsonLdQuads(readFileSync(join(out, 'case.jsonld'), 'utf8'))), []);
  });

  it('re-using a case name with another filter is refused (exit 2) unless --replace is given', async () => {
    const f = await evidenceFixture();
    f.ev.detach();
    await f.store.close();
    const exp = (...a: string[]) => cli('--data', f.dir, 'evidence', 'export', ...a);
    const ips = (dir: string) => new Set(readFileSync(join(f.dir, dir, 'records.ndjson'), 'utf8').trim().split('\n')
      .map((l) => (JSON.parse(l) as { obs: { remoteIp?: string } }).obs.remoteIp).filter(Boolean));
    assert.equal(exp('--case', 'c1', '--ip', '198.18.0.11', '--out', join(f.dir, 'p1')).status, 0);
    const refused = exp('--case', 'c1', '--ip', '198.18.0.12', '--out', join(f.dir, 'p2'));
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /case "c1" is saved with another filter .*--replace/);
    assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(existsSync(join(f.dir, 'p2')), false, 'nothing written');
    assert.deepEqual(ips((assert.equal(exp('--case', 'c1', '--out', join(f.dir, 'p3')).status, 0), 'p3')), new Set(['198.18.0.11']), 'the saved filter is unchanged');
    assert.equal(exp('--case', 'c1', '--ip', '198.18.0.11', '--out', join(f.dir, 'p4')).status, 0, 'the same filter again is not a change');
    assert.equal(exp('--case', 'c1', '--ip', '198.18.0.12', '--replace', '--out', join(f.dir, 'p5')).status, 0);
    assert.equal(exp('--case', 'c1', '--out', join(f.dir, 'p6')).status, 0);
    assert.deepEqual(ips('p6'), new Set(['198.18.0.12']));
    for (const stray of [['--ip', '198.18.0.11'], ['--case', 'c1']]) {
      const r = exp(...stray, '--replace', '--out', join(f.dir, 'p7'));
      assert.equal(r.status, 2, `--replace without a case and a filter is refused: ${stray.join(' ')}`);
      assert.match(r.stderr, /--replace: only with --case NAME and the new filter/);
    }
  });
});
