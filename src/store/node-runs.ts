/** One start of a node: what it presented to the network, and where its records begin in the evidence log. */
export interface NodeRunRow {
  readonly startedAt: number;
  /** The evidence log's size when the node was up: records from here to the next run's firstSeq are this run's. */
  readonly firstSeq: number;
  readonly toolVersion: string;
  readonly runtime: string;
  /** JSON texts, as written. */
  readonly settings: string;
  readonly presented: string;
}

/** The node's runs (exports' tool.json describes the node that recorded the deliveries from them). */
export interface NodeRunCatalog {
  insert(r: NodeRunRow): void;
  /** Every run, oldest first (one per node start: a few a day at most). */
  list(): NodeRunRow[];
}
