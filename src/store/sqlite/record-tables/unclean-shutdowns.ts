import type { UncleanShutdownObservation } from '../../../domain/observation.ts';
import { INT, OPT_INT, OPT_TEXT } from './field-types.ts';
import type { RecordTable } from './record-table.ts';

/** unclean_shutdowns (sessions-001): written at the start that follows a run which never stopped cleanly. */
export const UNCLEAN_SHUTDOWNS: RecordTable<UncleanShutdownObservation> = {
  kind: 'unclean-shutdown',
  table: 'unclean_shutdowns',
  fields: [
    { name: 'at', column: 'at', type: INT },
    { name: 'lastHash', column: 'last_hash', type: OPT_TEXT },
    { name: 'lastSeq', column: 'last_seq', type: OPT_INT },
    { name: 'openSessions', column: 'open_sessions', type: INT },
    { name: 'runPid', column: 'run_pid', type: INT },
    { name: 'runStartedAt', column: 'run_started_at', type: INT },
  ],
  timeField: 'at',
};
