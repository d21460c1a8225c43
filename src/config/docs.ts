import { SETTINGS, type SettingName } from './settings.ts';

/**
 * Renders the settings table as Markdown: the single source for docs/settings.md and `counterseed
 * config docs`. `usedBy` names the commands that take each setting's flag (issue 15 item 11: the
 * table listed flags that every command refused); settings no command takes as a flag are set in
 * config.json or the environment.
 */
export function settingsMarkdown(usedBy?: ReadonlyMap<SettingName, readonly string[]>): string {
  const rows = (Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]).map(([name, s]) => {
    const def = Array.isArray(s.default) ? '[]' : JSON.stringify(s.default);
    const cmds = usedBy ? ` ${(usedBy.get(name) ?? []).join(', ') || '(config.json or env only)'} |` : '';
    return `| \`${s.key}\` | \`${s.flag}\` |${cmds} ${s.env ? `\`${s.env}\`` : ''} | \`${def}\` | ${s.doc} |`;
  });
  const head = usedBy ? ['| key (config.json) | flag | flag accepted by | env | default | meaning |', '|---|---|---|---|---|---|']
    : ['| key (config.json) | flag | env | default | meaning |', '|---|---|---|---|---|'];
  const note = [
    '',
    'config.json (in the data directory) takes each key either dotted (`{"seed.port": 6881}`) or nested',
    '(`{"seed": {"port": 6881}}`), or both ways for different keys; `counterseed config show` prints the',
    'effective settings nested, in the same names, so its output is a valid config.json.',
  ];
  return [...head, ...rows, ...note].join('\n') + '\n';
}
