import assert from 'node:assert/strict';
import { it } from 'node:test';
import { copyLine } from '../../../../src/store/postgres/copy-text.ts';

it("COPY text format: tab-separated, \\N for NULL, bytea as \\\\x, and backslash, tab, newline and CR escaped (plain text as is)", () => {
  assert.equal(copyLine(['plain', 7, null, new Uint8Array([0, 255])]), 'plain\t7\t\\N\t\\\\x00ff\n');
  assert.equal(copyLine(['a\\b', 'c\td', 'e\nf', 'g\rh', 'holiday-video-0042.mp4']), 'a\\\\b\tc\\td\te\\nf\tg\\rh\tholiday-video-0042.mp4\n');
});
