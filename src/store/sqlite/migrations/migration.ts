/**
 * A named schema step. Each feature owns its migrations (core-001, evidence-001, dht-001, ...);
 * applied names are recorded in schema_migrations, so features can add steps independently.
 * A migration is never edited once it has shipped: add a new one.
 */
export interface Migration {
  readonly name: string;
  readonly sql: string;
}
