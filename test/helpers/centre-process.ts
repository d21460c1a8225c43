/**
 * A centre in a process of its own, for tests that kill it (-9) in the middle of a batch:
 * node test/helpers/centre-process.ts <postgres url> <schema> <port> [host]
 * Prints "listening <url>", then "batch <records> <node fingerprint>" as each authenticated batch starts.
 */
import { CentreDb } from '../../src/centre/centre-db.ts';
import { CentreServer } from '../../src/centre/centre-server.ts';

const [url, schema, port, host] = process.argv.slice(2);
const db = await CentreDb.open(url!, schema);
const server = await CentreServer.start({ db, port: Number(port), ...(host ? { host } : {}), onBatch: (fp, n) => process.stdout.write(`batch ${n} ${fp}\n`) });
process.stdout.write(`listening ${server.url}\n`);
process.on('SIGTERM', () => { void server.close().then(() => db.close()).then(() => process.exit(0)); });
