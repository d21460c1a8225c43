import type { ClockStatement } from '../../../evidence/record.ts';
import { INT, OPT_INT, OPT_TEXT, TEXT } from './field-types.ts';
import type { RecordTable } from './record-table.ts';

/** clock_statements (evidence-002): the node's own statements about its clock source and sync state. */
export const CLOCK_STATEMENTS: RecordTable<ClockStatement> = {
  kind: 'clock',
  table: 'clock_statements',
  fields: [
    { name: 'at', column: 'at', type: INT },
    { name: 'note', column: 'note', type: TEXT },
    { name: 'ntpOffsetMs', column: 'ntp_offset_ms', type: OPT_INT },
    { name: 'ntpServer', column: 'ntp_server', type: OPT_TEXT },
    { name: 'source', column: 'source', type: TEXT },
    { name: 'syncState', column: 'sync_state', type: TEXT },
  ],
  timeField: 'at',
};
