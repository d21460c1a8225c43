/**
 * The centre (CentreDb + CentreServer) in a process of its own, for benches that measure its CPU apart
 * from the node's: node bench/lib/centre-process.ts <postgres url> <schema> [read workers=1]
 * Prints "listening <url>" when ready; stops on SIGTERM. Projection into the analysis tables is off
 * (the ingest figure is the intake's: verify, store, acknowledge).
 */
import { CentreDb } from '../../src/centre/centre-db.ts';
import { CentreServer } from '../../src/centre/centre-server.ts';

const [url, schema, workers] = process.argv.slice(2);
const db = await CentreDb.open(url!, schema);
const server = await CentreServer.start({ db, readWorkers: Number(workers ?? 1) });
process.stdout.write(`listening ${server.url}\n`);
process.on('SIGTERM', () => { void server.close().then(() => db.close()).then(() => process.exit(0)); });
