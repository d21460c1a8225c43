// The evidence writer thread (thread-writer.ts starts it): it owns the SQLite connection that writes
// observations, and does everything of an append on its own, synchronously, in one transaction per
// batch: rows, record texts, hashes, chain links and the Merkle frontier (SqliteStore.appendObservations
// with the EvidenceLog hook). It also takes the clock records, and starts the checkpoint thread
// (checkpoint-thread.ts), which audits and signs the checkpoints: no evidence write, and no fsync,
// ever runs on the thread that serves peers, and no audit on the thread that ingests.
import { isMainThread, type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { Settings } from '../config/settings.ts';
import type { Observation } from '../domain/observation.ts';
import { startNodeEvidence } from '../evidence/node-evidence.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { faultMessage, writeBatch } from './batch-writer.ts';
import { CheckpointThread } from './checkpoint-thread.ts';
import type { FromWriter, ToWriter } from './thread-writer.ts';

// Imported on the main thread (npm install's prepare step warms the compile cache with it), it does nothing.
if (!isMainThread) await run(parentPort!, workerData as { dbPath: string; settings: Settings });

async function run(port: MessagePort, { dbPath, settings }: { dbPath: string; settings: Settings }): Promise<void> {
  const post = (m: FromWriter) => port.postMessage(m);
  try {
    const store = new SqliteStore(dbPath);
    const log = (message: string) => post({ type: 'log', message });
    const evidence = await startNodeEvidence({
      store, settings, log,
      // The audit before each checkpoint reads a snapshot on a thread of its own: this thread only ingests.
      checkpoints: (checkpoints) => CheckpointThread.start({ dbPath, dataDir: settings.dataDir, checkpoints, log }),
    });
    /** The batch being received: the main thread posts it in chunks, so that no single post holds its event loop long. */
    let batch: Observation[] = [];
    let queue = Promise.resolve();
    port.on('message', (m: ToWriter) => {
      // One message at a time, in order: a write finishes before the next message is looked at.
      queue = queue.then(async () => {
        if (m.type === 'chunk') {
          for (const o of m.observations) batch.push(o);
          if (!m.last) return;
          const b = batch;
          batch = [];
          post({ type: 'outcome', outcome: await writeBatch(store, b, m.counters) });
        } else {
          try {
            await evidence?.stop();
          } finally {
            await store.close();
            post({ type: 'stopped' });
            port.close();
          }
        }
      }).catch((e: unknown) => post({ type: 'log', message: `evidence writer: ${faultMessage(e)}` }));
    });
    post({ type: 'ready', fingerprint: evidence?.fingerprint });
  } catch (e) {
    post({ type: 'failed', message: faultMessage(e) });
    port.close();
  }
}
