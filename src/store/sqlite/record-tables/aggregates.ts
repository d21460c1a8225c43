import type { AggregateObservation } from '../../../domain/observation.ts';
import { INT, TEXT } from './field-types.ts';
import type { RecordTable } from './record-table.ts';

/**
 * aggregates (aggregates-001): events counted per reason, source prefix and UTC second instead of
 * recorded one by one. The network field is the prefix's network address; the key index files the
 * record under "net:<address>", and an export for one address includes the aggregates of its /24 or
 * /48 (exports/selection.ts, observation/source-prefix.ts).
 */
export const AGGREGATES: RecordTable<AggregateObservation> = {
  kind: 'aggregate',
  table: 'aggregates',
  fields: [
    { name: 'at', column: 'at', type: INT },
    { name: 'cause', column: 'cause', type: TEXT },
    { name: 'count', column: 'count', type: INT },
    { name: 'network', column: 'network', type: TEXT },
    { name: 'observed', column: 'observed', type: TEXT },
    { name: 'prefixLength', column: 'prefix_length', type: INT },
    { name: 'reason', column: 'reason', type: TEXT },
  ],
  timeField: 'at',
  networkField: 'network',
};
