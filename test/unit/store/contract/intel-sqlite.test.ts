import { openSqliteStore } from '../../../../src/node/context.ts';
import { intelContract } from './intel-contract.ts';

// The intelligence contract against the embedded store (a data directory's counterseed.db).
intelContract({ name: 'SQLite', open: (settings) => ({ store: openSqliteStore(settings), dispose: async () => {} }) });
