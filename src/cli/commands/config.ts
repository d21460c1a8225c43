import { effectiveSettings, settingsDocs } from '../../app/config.ts';
import type { Command } from '../command.ts';

export const configDocs: Command = {
  name: 'config docs',
  summary: 'Print every setting (key, flag, env, default, meaning) as Markdown',
  async run(_args, io) { io.out(settingsDocs()); },
};

export const configShow: Command = {
  name: 'config show',
  summary: 'Print the effective settings (defaults < DATA/config.json < env < flags) as JSON',
  async run(_args, io) { io.out(JSON.stringify(effectiveSettings(io.settings), null, 2)); },
};
