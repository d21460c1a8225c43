import { SETTINGS } from './settings.ts';

/** Renders the settings table as Markdown: the single source for docs/settings.md and `counterseed config docs`. */
export function settingsMarkdown(): string {
  const rows = Object.values(SETTINGS).map((s) => {
    const def = JSON.stringify(s.default);
    return `| \`${s.key}\` | \`${s.flag}\` | ${s.env ? `\`${s.env}\`` : ''} | \`${def}\` | ${s.doc} |`;
  });
  return ['| key (config.json) | flag | env | default | meaning |', '|---|---|---|---|---|', ...rows].join('\n') + '\n';
}
