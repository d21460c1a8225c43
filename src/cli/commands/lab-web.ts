import { spawn } from 'node:child_process';

/**
 * The end of `counterseed lab` (issue 13 §9): the web app on the lab's data directory, in a
 * process of its own (`counterseed serve --demo`: 127.0.0.1, an ephemeral port, fresh demo
 * accounts it prints), so a newcomer sees the results in a browser. Until `signal` (Ctrl-C).
 */
export async function offerWebApp(dataDir: string, signal: AbortSignal, out: (line: string) => void): Promise<number> {
  out('the web app on the lab data (Ctrl-C to stop):');
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'serve', '--data', dataDir, '--demo', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => { for (const line of chunk.split('\n')) if (line !== '') out(`  ${line}`); });
  const stop = () => { child.kill('SIGTERM'); };
  signal.addEventListener('abort', stop, { once: true });
  if (signal.aborted) stop();
  const code = await new Promise<number>((resolve) => child.once('exit', (c, s) => resolve(c ?? (s ? 0 : 1))));
  signal.removeEventListener('abort', stop);
  return code;
}
