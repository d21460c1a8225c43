import { settingsMarkdown } from '../config/docs.ts';
import type { Settings } from '../config/settings.ts';

/** Every setting (key, flag, env, default, meaning) as Markdown, from the one settings table. */
export function settingsDocs(): string {
  return settingsMarkdown();
}

/** The effective settings (defaults < DATA/config.json < env < flags), as resolved by the caller. */
export function effectiveSettings(settings: Settings): Settings {
  return settings;
}
