import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toolInfo, toolJson } from '../../../src/exports/tool-info.ts';
import type { NodeRunRow } from '../../../src/store/sqlite/node-runs.ts';

const run = (firstSeq: number, port: number): NodeRunRow => ({
  startedAt: 1_764_000_000_000 + firstSeq, firstSeq, toolVersion: '0.1.0', runtime: 'node v24.21.0',
  settings: JSON.stringify({ port }), presented: JSON.stringify({ peerPort: port }),
});

describe('tool.json', () => {
  it('keeps the runs that recorded the exported records, counts each run\'s records, and those from before any run', () => {
    const tool = toolInfo({ port: 6881 }, [run(10, 26881), run(0, 16881), run(20, 36881), run(30, 46881)]);
    const j = JSON.parse(toolJson(tool, [0, 5, 12, 13, 30])) as { config: unknown; config_sha256: string; node_runs: { first_seq: number; records: number; presented: { peerPort: number } }[]; records_before_first_run: number };
    assert.deepEqual(j.node_runs.map((r) => [r.first_seq, r.records, r.presented.peerPort]), [[0, 2, 16881], [10, 2, 26881], [30, 1, 46881]]);
    assert.equal(j.records_before_first_run, 0);
    assert.deepEqual(j.config, { port: 6881 });
    assert.equal(j.config_sha256, tool.config_sha256);
    const older = JSON.parse(toolJson(toolInfo({}, [run(10, 26881)]), [3, 4, 11])) as { node_runs: { records: number }[]; records_before_first_run: number };
    assert.deepEqual([older.node_runs.map((r) => r.records), older.records_before_first_run], [[1], 2]);
  });
});
