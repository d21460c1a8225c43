import type { SettingName } from '../config/settings.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  doc: string;
  /** Shown in help, e.g. "FILE". */
  arg?: string;
}

export interface ParsedArgs {
  options: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** One CLI command. Settings flags come from the settings table; `options` are the command's own. */
export interface Command {
  /** Space-separated path, e.g. "decoys build". */
  name: string;
  summary: string;
  positionals?: string;
  settings?: readonly SettingName[];
  options?: Record<string, OptionSpec>;
  /**
   * How the command uses the data directory: 'existing' (it reads or extends a store that must be
   * there: a typo in --data is refused, exit 3, instead of creating an empty store), 'create' (it
   * creates the directory if missing), absent (it does not open one).
   */
  data?: 'existing' | 'create';
  /**
   * The command writes lab data: without --data it uses the lab's own directory
   * (~/.local/share/counterseed-lab), never the evidence one, and COUNTERSEED_DATA is not used.
   */
  labData?: boolean;
  run(args: ParsedArgs, io: CommandIo): Promise<number | void>;
}

export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  /** Settings resolved from defaults, config file, env and this command's flags. */
  settings: import('../config/settings.ts').Settings;
  signal: AbortSignal;
}
