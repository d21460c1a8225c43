import type { PgMigration } from './migration.ts';
import { PG_CORE_001 } from './pg-core-001.ts';

/** Every PostgreSQL migration, in the order a fresh database applies them. */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  PG_CORE_001,
];
