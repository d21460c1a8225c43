#!/usr/bin/env node
import { loadSettings } from '../config/load.ts';
import { helpText, parseCommandArgs } from './args.ts';
import type { Command } from './command.ts';
import { COMMANDS, type CommandEntry } from './commands/index.ts';
import { defaultLabDataDir, makeDir, requireDataDir } from '../app/paths.ts';
import { describeOsError, exitCodeFor, isUserError } from './exit-codes.ts';
import { InterruptedError } from '../app/errors.ts';

const VERSION = '0.1.0';

/** The reason a command's signal is aborted with when the process gets SIGINT or SIGTERM. */
class Interrupted extends Error {
  readonly signal: NodeJS.Signals;
  constructor(signal: NodeJS.Signals) { super(`interrupted by ${signal}`); this.signal = signal; }
}

async function topHelp(): Promise<string> {
  const all = await Promise.all(COMMANDS.map((c) => c.load()));
  const width = Math.max(...all.map((c) => c.name.length)) + 4;
  return [
    `counterseed ${VERSION} - deterrence decoys on P2P networks, served upload-only, with every delivery recorded as evidence`,
    '',
    'Usage: counterseed <command> [options]      (counterseed <command> --help for details)',
    '',
    'Commands:',
    ...all.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Global options: --data DIR (or COUNTERSEED_DATA), --mode lab|live, --store postgres://… (or COUNTERSEED_STORE), --tz ZONE (times in tables; or COUNTERSEED_TZ), --help, --version',
  ].join('\n');
}

/** Global flags that take a value and may stand before the command ("--data DIR decoys build"). */
const VALUE_FLAGS_BEFORE_COMMAND = new Set(['--data', '--mode', '--store', '--tz']);

/** Finds the longest command name at the start of the non-flag words ("decoys build" before "decoys"). */
function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  const words: number[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i]!;
    if (VALUE_FLAGS_BEFORE_COMMAND.has(a)) { i++; continue; }
    if (a.startsWith('-')) { if (words.length > 0) break; continue; }
    words.push(i);
  }
  for (let n = words.length; n >= 1; n--) {
    const name = words.slice(0, n).map((i) => argv[i]).join(' ');
    const entry = COMMANDS.find((c) => c.name === name);
    if (entry) return { entry, rest: argv.filter((_, i) => !words.slice(0, n).includes(i)) };
  }
  return undefined;
}

/** The reason a command's signal is aborted with when its output was closed (EPIPE). */
class StdoutClosed extends Error { constructor() { super('output closed'); } }

export async function main(argv: string[]): Promise<number> {
  const shutdown = new AbortController();
  // Output closed early (`counterseed deliveries | head -1`): EPIPE. Stop writing and stop the
  // command quietly, as `cat` does; nothing is left half-written (issue 15 item 8).
  const stdout = { closed: false };
  const onStdoutError = (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    stdout.closed = true;
    shutdown.abort(new StdoutClosed());
  };
  process.stdout.on('error', onStdoutError);
  try { return await runMain(argv, shutdown, stdout); } finally { process.stdout.off('error', onStdoutError); }
}

async function runMain(argv: string[], shutdown: AbortController, stdout: { closed: boolean }): Promise<number> {
  const out = (t: string) => { if (!stdout.closed) process.stdout.write(t.endsWith('\n') ? t : `${t}\n`); };
  const err = (t: string) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`);
  if (argv.includes('--version')) { out(VERSION); return 0; }
  const found = findCommand(argv);
  if (!found) {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') { out(await topHelp()); return 0; }
    const first = argv.find((a, i) => !a.startsWith('-') && !VALUE_FLAGS_BEFORE_COMMAND.has(argv[i - 1] ?? ''));
    const group = await Promise.all(COMMANDS.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.load()));
    if (group.length > 0) {
      // "decoys frob": say the subcommand is unknown, and list the group's (issue 15 item 12: all their help was dumped).
      const firstAt = argv.indexOf(first!);
      const sub = argv.slice(firstAt + 1).find((a) => !a.startsWith('-'));
      const pad = Math.max(20, ...group.map((c) => c.name.length + 2));
      const listing = [`Commands in "${first}":`, ...group.map((c) => `  ${c.name.padEnd(pad)}${c.summary}`), '', `counterseed ${first} <command> --help for details`].join('\n');
      if (sub !== undefined) { err(`counterseed: unknown subcommand "${first} ${sub}"\n\n${listing}`); return 2; }
      if (argv.includes('--help') || argv.includes('-h')) { out(listing); return 0; }
      err(listing);
      return 2;
    }
    err(`counterseed: unknown command "${argv.join(' ')}"\n\n${await topHelp()}`);
    return 2;
  }
  const { rest } = found;
  const cmd = await found.entry.load();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => { signalled ??= sig; shutdown.abort(new Interrupted(sig)); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { args, settingFlags } = parseCommandArgs(cmd, rest);
    if (args.options.help) { out(helpText(cmd)); return 0; }
    // The lab's data directory is its own unless --data names one (issue 15 item 2).
    if (cmd.labData && settingFlags.dataDir === undefined) settingFlags.dataDir = defaultLabDataDir();
    const settings = loadSettings({ flags: settingFlags });
    if (cmd.data === 'existing') requireDataDir(settings.dataDir);
    else if (cmd.data === 'create') makeDir(settings.dataDir, 0o700);
    return (await cmd.run(args, { out, err, settings, signal: shutdown.signal })) ?? 0;
  } catch (e) {
    // The reader went away: nothing more to say, and nobody to say it to.
    if (stdout.closed) return 0;
    const os = describeOsError(e);
    // A long command stopped by SIGINT/SIGTERM: its work was not committed (each commits all or nothing at its end).
    if (signalled && (e instanceof InterruptedError || !isUserError(e)) && !os) err(`counterseed ${cmd.name}: stopped by ${signalled}; nothing was committed`);
    else if (isUserError(e)) err(`counterseed ${cmd.name}: ${e.message}`);
    else if (os) err(`counterseed ${cmd.name}: ${os.message}`);
    else err(`counterseed ${cmd.name}: internal error: ${(e as Error).stack ?? e}`);
    return exitCodeFor(e, signalled);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (import.meta.main) {
  // An EPIPE reported after main returned (the last lines were buffered) is no error either.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'EPIPE') throw e; });
  process.exitCode = await main(process.argv.slice(2));
}
