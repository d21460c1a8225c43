import { settingsMarkdown } from '../config/docs.ts';
import { SETTINGS, type SettingName, type Settings } from '../config/settings.ts';

/** Every setting (key, flag, commands taking the flag, env, default, meaning) as Markdown, from the one settings table. */
export function settingsDocs(usedBy?: ReadonlyMap<SettingName, readonly string[]>): string {
  return settingsMarkdown(usedBy);
}

/**
 * The effective settings (defaults < DATA/config.json < env < flags), keyed as in config.json and
 * nested at the dots (`seed.port` -> `{ seed: { port } }`): what `config show` prints is a config.json
 * that loadSettings reads back (issue 15 item 11: it printed other names than the file accepts).
 * The data directory is not a config.json setting (the file lives in it): it is left out.
 */
export function effectiveSettings(settings: Settings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    if (name === 'dataDir') continue;
    const parts = s.key.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = settings[name];
  }
  return out;
}
