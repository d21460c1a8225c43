import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const VERIFIER = fileURLToPath(new URL('../../../verifier/verify.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'cs-lab-apart-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The CLI with a HOME of its own (the lab's default directory is under it) and no COUNTERSEED_DATA unless given. */
function cli(args: string[], env: Record<string, string> = {}) {
  const { COUNTERSEED_DATA: _, XDG_DATA_HOME: __, ...base } = process.env;
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...base, HOME: join(root, 'home'), ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const SHORT_LAB = ['lab', '--duration', '4', '--decoys', '2', '--downloaders', '6', '--concurrency', '2', '--sources', '3'];
const names = join(root, 'names.txt');
writeFileSync(names, 'holiday-video-0042.mp4\nholiday-video-0043.mp4\n');

describe('lab data never mixes with real evidence (issue 15 item 2)', () => {
  const evidence = join(root, 'evidence');
  const labDir = join(root, 'home', '.local', 'share', 'counterseed-lab');
  let labRun: ReturnType<typeof cli>;

  before(() => {
    // An operator's store: a key and two decoys.
    assert.equal(cli(['init', '--data', evidence]).code, 0);
    assert.equal(cli(['decoys', 'build', '--data', evidence, '--names', names]).code, 0);
    // The lab with COUNTERSEED_DATA pointing at the operator's store: it must not go there.
    labRun = cli(SHORT_LAB, { COUNTERSEED_DATA: evidence });
  });

  it('lab without --data uses its own directory, whatever COUNTERSEED_DATA says, and marks it lab', () => {
    assert.equal(labRun.code, 0, labRun.stderr);
    assert.match(labRun.stdout, /^LAB DATA - simulated, not evidence\n/);
    assert.ok(labRun.stdout.includes(`data directory: ${labDir} (PURPOSE lab`), labRun.stdout);
    assert.equal(readFileSync(join(labDir, 'PURPOSE'), 'utf8'), 'lab\n');
    assert.equal(readFileSync(join(evidence, 'PURPOSE'), 'utf8'), 'evidence\n');
  });

  it('lab --data on the operator\'s store is refused (exit 77) and adds nothing to it', async () => {
    const before = readdirSync(evidence).sort();
    const r = cli([...SHORT_LAB, '--data', evidence]);
    assert.equal(r.code, 77, r.stderr);
    assert.match(r.stderr, /^counterseed lab: .* holds real evidence \(its PURPOSE file says evidence\); `counterseed lab` never writes there/);
    assert.deepEqual(readdirSync(evidence).sort(), before);
    const store = new SqliteStore(join(evidence, 'counterseed.db'));
    try {
      assert.deepEqual((await store.listDecoys()).map((d) => d.name), ['holiday-video-0042.mp4', 'holiday-video-0043.mp4']);
      assert.equal((await store.queryDeliveries()).length, 0);
    } finally { await store.close(); }
  });

  it('a store made before PURPOSE files is taken as evidence: the lab refuses it and writes no PURPOSE file', () => {
    const legacy = join(root, 'legacy');
    cpSync(evidence, legacy, { recursive: true });
    rmSync(join(legacy, 'PURPOSE'));
    const r = cli([...SHORT_LAB, '--data', legacy]);
    assert.equal(r.code, 77, r.stderr);
    assert.match(r.stderr, /made before PURPOSE files: it is taken as real evidence/);
    assert.equal(existsSync(join(legacy, 'PURPOSE')), false);
    // A read-only command reads it, writes nothing, and shows no LAB banner.
    const d = cli(['deliveries', '--data', legacy]);
    assert.equal(d.code, 0, d.stderr);
    assert.doesNotMatch(d.stdout, /LAB/);
    assert.equal(existsSync(join(legacy, 'PURPOSE')), false);
  });

  it('live commands refuse the lab directory (exit 77): seed, decoys build, campaign create, init, payload add', () => {
    for (const args of [['seed'], ['decoys', 'build', '--names', names], ['campaign', 'create', 'x', '--names', names, '--per-day', '1', '--ttl', '1'], ['campaign', 'tick'], ['payload', 'add', names], ['init'], ['decoys', 'export', '--out', join(root, 'torrents')], ['decoys', 'retire', '1']]) {
      const r = cli([...args, '--data', labDir]);
      assert.equal(r.code, 77, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /holds lab data \(its PURPOSE file says lab\), not evidence: live commands/);
    }
  });

  it('every listing of lab records says so: table first line, a purpose field in JSON, a purpose column in CSV', () => {
    const banner = /^LAB DATA - simulated, not evidence\n/;
    for (const args of [['deliveries'], ['announces'], ['campaign', 'list'], ['health'], ['decoys', 'list']]) {
      const r = cli([...args, '--data', labDir]);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, banner, args.join(' '));
    }
    const json = JSON.parse(cli(['deliveries', '--json', '--data', labDir]).stdout) as { purpose: string }[];
    assert.ok(json.length > 0);
    assert.deepEqual([...new Set(json.map((d) => d.purpose))], ['lab']);
    assert.equal((JSON.parse(cli(['health', '--json', '--data', labDir]).stdout) as { purpose: string }).purpose, 'lab');
    const csv = cli(['announces', '--csv', '--data', labDir]).stdout.trim().split('\n');
    assert.match(csv[0]!, /,purpose$/);
    assert.ok(csv.slice(1).every((l) => l.endsWith(',lab')));
    // The operator's own store: evidence, no banner.
    const ev = cli(['decoys', 'list', '--json', '--data', evidence]);
    assert.deepEqual([...new Set((JSON.parse(ev.stdout) as { purpose: string }[]).map((d) => d.purpose))], ['evidence']);
  });

  it('an export of lab records says lab in its signed manifest; the verifier prints LAB DATA; changing it breaks the signature', () => {
    const ip = (JSON.parse(cli(['deliveries', '--json', '--limit', '1', '--data', labDir]).stdout) as { remoteIp: string }[])[0]!.remoteIp;
    const pkg = join(root, 'pkg');
    const ex = cli(['evidence', 'export', '--ip', ip, '--out', pkg, '--data', labDir]);
    assert.equal(ex.code, 0, ex.stderr);
    assert.match(ex.stdout, /^LAB DATA - simulated, not evidence: the package's signed manifest says purpose "lab"/);
    assert.equal((JSON.parse(readFileSync(join(pkg, 'manifest.json'), 'utf8')) as { purpose: string }).purpose, 'lab');
    assert.match(readFileSync(join(pkg, 'README.txt'), 'utf8'), /^LAB DATA - SIMULATED, NOT EVIDENCE/);

    // The standalone verifier shipped in the package, run as a defence expert would.
    const v = spawnSync(process.execPath, [join(pkg, 'verify.mjs'), pkg], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stdout);
    assert.match(v.stdout, /^\*\*\* LAB DATA: not evidence/);
    assert.match(v.stdout, /purpose: {5}lab - LAB DATA: not evidence/);
    assert.match(v.stdout, /RESULT: VERIFIED - no sign of alteration.\n\*\*\* LAB DATA: not evidence/);
    const viaCli = cli(['evidence', 'verify', pkg, '--json']);
    assert.equal((JSON.parse(viaCli.stdout) as { facts: { purpose: string } }).facts.purpose, 'lab');

    // Someone turns the lab package into "evidence": the manifest's signature no longer holds.
    const tampered = join(root, 'pkg-tampered');
    cpSync(pkg, tampered, { recursive: true });
    const m = readFileSync(join(tampered, 'manifest.json'), 'utf8');
    assert.ok(m.includes('"purpose":"lab"'));
    writeFileSync(join(tampered, 'manifest.json'), m.replace('"purpose":"lab"', '"purpose":"evidence"'));
    const t = spawnSync(process.execPath, [VERIFIER, tampered], { encoding: 'utf8' });
    assert.equal(t.status, 1, t.stdout);
    assert.match(t.stdout, /manifest-signature-invalid/);
    // Dropping the field breaks it too.
    writeFileSync(join(tampered, 'manifest.json'), m.replace('"purpose":"lab",', ''));
    assert.match(spawnSync(process.execPath, [VERIFIER, tampered], { encoding: 'utf8' }).stdout, /manifest-signature-invalid/);
  });

  it('an evidence export says evidence, without a LAB line', () => {
    const pkg = join(root, 'pkg-ev');
    const ex = cli(['evidence', 'export', '--decoy', '1', '--out', pkg, '--data', evidence]);
    assert.equal(ex.code, 0, ex.stderr);
    assert.doesNotMatch(ex.stdout, /LAB/);
    assert.equal((JSON.parse(readFileSync(join(pkg, 'manifest.json'), 'utf8')) as { purpose: string }).purpose, 'evidence');
    const v = spawnSync(process.execPath, [VERIFIER, pkg], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stdout);
    assert.match(v.stdout, /purpose: {5}evidence\n/);
    assert.doesNotMatch(v.stdout, /LAB DATA/);
  });
});
