import type { ClockStatement } from '../../../evidence/record.ts';
import { int, optInt, optText, text, type RecordTable } from './record-table.ts';

/** clock_statements (evidence-002): the node's own statements about its clock source and sync state. */
export const CLOCK_STATEMENTS: RecordTable<ClockStatement> = {
  kind: 'clock',
  table: 'clock_statements',
  columns: ['at', 'source', 'sync_state', 'ntp_offset_ms', 'ntp_server', 'note'],
  timeColumn: 'at',
  timeField: 'at',
  toRow: (c) => [c.at, c.source, c.syncState, c.ntpOffsetMs, c.ntpServer, c.note],
  fields: (r) => ({
    at: int(r[0]), note: text(r[5]), ntpOffsetMs: optInt(r[3]), ntpServer: optText(r[4]), source: text(r[1]), syncState: text(r[2]) as ClockStatement['syncState'],
  }),
};
