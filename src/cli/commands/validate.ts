import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ALL_CLIENTS, isolationProblem, MAX_DOWNLOADS, validateWithClients, ValidationError, type ClientName } from '../../app/validate.ts';
import { InputError } from '../../domain/errors.ts';
import { optionalInt } from '../args.ts';
import type { Command } from '../command.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const NETNS_RUN = join(ROOT, 'scripts/netns-run.sh');
const MAIN = join(ROOT, 'src/cli/main.ts');
/** The re-exec'd run is bounded too: N downloads of at most 3 min each, plus set-up and analysis. */
const outerTimeoutMs = (n: number) => (n * 180 + 300) * 1000;

export const validate: Command = {
  name: 'validate',
  summary: 'Validation report: real clients download decoys in an isolated network namespace; every delivery is compared with a packet capture',
  options: {
    out: { type: 'string', arg: 'DIR', doc: 'Report directory (default <data>/validation/<UTC timestamp>/; must not exist or be empty)' },
    downloads: { type: 'string', arg: 'N', doc: `Number of downloads, spread over the clients (1..${MAX_DOWNLOADS}, default 3)` },
    clients: { type: 'string', arg: 'LIST', doc: `Comma-separated clients (default ${ALL_CLIENTS.join(',')})` },
  },
  async run(args, io) {
    const downloads = optionalInt(args, 'downloads', 1, MAX_DOWNLOADS) ?? 3;
    const clients = parseClients(args.options.clients);
    const out = typeof args.options.out === 'string' && args.options.out !== ''
      ? resolve(args.options.out)
      : join(io.settings.dataDir, 'validation', new Date().toISOString().replace(/[:.]/g, '-'));

    const problem = isolationProblem();
    if (problem !== null) {
      // Never touch the host's network: re-run inside a fresh namespace, exactly once.
      if (process.env.COUNTERSEED_NETNS_INNER === '1') throw new ValidationError(`not in an isolated network namespace (${problem}); refusing`, 2);
      io.err(`validate: not isolated (${problem}); re-running inside a new network namespace (scripts/netns-run.sh)`);
      const argv = [process.execPath, ...process.execArgv, MAIN, 'validate', '--out', out, '--downloads', String(downloads), '--clients', clients.join(',')];
      return await reexec(argv, outerTimeoutMs(downloads), io.signal);
    }
    const report = await validateWithClients({ out, downloads, clients, signal: io.signal, log: io.err });
    const c = report.comparison;
    io.out(`${report.ok ? 'PASS' : 'FAIL'}: ${report.downloads.filter((d) => d.ok).length}/${report.downloads.length} downloads, ${c.deliveries} deliveries, ${c.connections} captured connections, ${c.mismatches.length} mismatches, evidence export ${report.evidence.verified ? 'verifies' : 'does NOT verify'}`);
    io.out(`report: ${join(out, 'report.md')} and ${join(out, 'report.json')}`);
    return report.ok ? 0 : 1;
  },
};

function parseClients(v: unknown): ClientName[] {
  if (v === undefined) return [...ALL_CLIENTS];
  if (typeof v !== 'string') throw new InputError('--clients: expected a comma-separated list');
  const list = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = list.filter((s) => !(ALL_CLIENTS as readonly string[]).includes(s));
  if (bad.length > 0 || list.length === 0) throw new InputError(`--clients: expected some of ${ALL_CLIENTS.join(',')}, got ${JSON.stringify(v)}`);
  return [...new Set(list)] as ClientName[];
}

/** Runs argv under scripts/netns-run.sh with inherited stdio; bounded by timeoutMs; stops the child by PID. */
function reexec(argv: string[], timeoutMs: number, signal: AbortSignal): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(NETNS_RUN, argv, { stdio: 'inherit' });
    const stop = () => { if (child.exitCode === null) child.kill('SIGTERM'); };
    const timer = setTimeout(stop, timeoutMs);
    signal.addEventListener('abort', stop, { once: true });
    child.on('error', (e) => { clearTimeout(timer); reject(new ValidationError(`cannot start ${NETNS_RUN}: ${e.message}`)); });
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
      resolvePromise(code ?? (sig ? 1 : 70));
    });
  });
}
