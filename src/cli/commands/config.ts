import { effectiveSettings, settingsDocs } from '../../app/config.ts';
import type { SettingName } from '../../config/settings.ts';
import { GLOBAL_SETTINGS } from '../args.ts';
import type { Command } from '../command.ts';
import { COMMANDS } from './index.ts';

export const configDocs: Command = {
  name: 'config docs',
  summary: 'Print every setting (config.json key, flag and the commands that take it, env, default, meaning) as Markdown',
  async run(_args, io) {
    const usedBy = new Map<SettingName, string[]>();
    for (const c of await Promise.all(COMMANDS.map((e) => e.load()))) {
      for (const n of c.settings ?? []) usedBy.set(n, [...(usedBy.get(n) ?? []), c.name]);
    }
    for (const n of GLOBAL_SETTINGS) usedBy.set(n, ['every command']);
    io.out(settingsDocs(usedBy));
  },
};

export const configShow: Command = {
  name: 'config show',
  summary: 'Print the effective settings (defaults < DATA/config.json < env < flags) as JSON, nested as config.json takes them',
  async run(_args, io) { io.out(JSON.stringify(effectiveSettings(io.settings), null, 2)); },
};
