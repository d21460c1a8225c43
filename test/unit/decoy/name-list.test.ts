import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../src/domain/errors.ts';
import { NameListError, parseNameList } from '../../../src/decoy/index.ts';

function issues(text: string, opts?: { maxRows?: number }): string[] {
  try {
    parseNameList(text, opts);
  } catch (e) {
    assert.ok(e instanceof NameListError && e instanceof InputError);
    return e.issues.map((i) => `${i.line}: ${i.message}`);
  }
  assert.fail('expected a NameListError');
}

test('plain list: one name per line, blanks and comments skipped, CRLF and BOM ok', () => {
  const text = '\uFEFF  # decoys for week 1\r\nholiday-video-0042.mp4\r\n\r\n   \r\nholiday-video-0043.mp4\r\n#holiday-video-0099.mp4\r\n';
  assert.deepEqual(parseNameList(text), [
    { line: 2, name: 'holiday-video-0042.mp4', size: null },
    { line: 5, name: 'holiday-video-0043.mp4', size: null },
  ]);
  // Issue 15 item 9: an empty list (or only comments) is refused, not "built 0 decoys".
  for (const empty of ['', '\n\n', '# only a comment\n', 'name,size\n']) assert.throws(() => parseNameList(empty), /line 1: the list has no names/);
  assert.deepEqual(parseNameList('a.mp4\rb.mp4'), [{ line: 1, name: 'a.mp4', size: null }, { line: 2, name: 'b.mp4', size: null }]);
});

test('CSV: header skipped, sizes parsed, RFC 4180 quoting', () => {
  const text = [
    'Name,Size',
    'holiday-video-0042.mp4,1048576',
    '"holiday, part 2.mp4",2000',
    '"say ""cheese"".mp4"',
    '  spaced name.mp4  ,  42 ',
    '"#not a comment.mp4",',
    'quote"inside.mp4',
  ].join('\n');
  assert.deepEqual(parseNameList(text), [
    { line: 2, name: 'holiday-video-0042.mp4', size: 1048576 },
    { line: 3, name: 'holiday, part 2.mp4', size: 2000 },
    { line: 4, name: 'say "cheese".mp4', size: null },
    { line: 5, name: 'spaced name.mp4', size: 42 },
    { line: 6, name: '#not a comment.mp4', size: null },
    { line: 7, name: 'quote"inside.mp4', size: null },
  ]);
  // Header only counts as the first record; later it is a name.
  assert.deepEqual(parseNameList('a.mp4\nname').map((r) => r.name), ['a.mp4', 'name']);
  assert.deepEqual(parseNameList('# c\nname\nb.mp4').map((r) => r.name), ['b.mp4']);
  assert.equal(parseNameList(`x.mp4,${Number.MAX_SAFE_INTEGER}`)[0]!.size, Number.MAX_SAFE_INTEGER);
});

test('every validation rule is reported with its line number, all at once', () => {
  const lines = [
    'ok-0001.mp4',                     // 1
    '""',                              // 2 empty
    '.',                               // 3
    '..',                              // 4
    'dir/file.mp4',                    // 5
    'dir\\file.mp4',                   // 6
    'tab\there.mp4',                   // 7 control char
    'x'.repeat(256),                   // 8 too long
    'æ'.repeat(128),                   // 9 256 bytes in UTF-8
    'size-zero.mp4,0',                 // 10
    'size-neg.mp4,-5',                 // 11
    'size-text.mp4,12kb',              // 12
    'size-huge.mp4,9007199254740992',  // 13
    'ok-0001.mp4',                     // 14 duplicate of 1
    'a.mp4,1,2',                       // 15 too many fields
    '"unterminated.mp4',               // 16
    '"closed" trailing.mp4',           // 17
    'del\u007f.mp4',                   // 18
    'lone\ud800.mp4',                  // 19
    'ok-0002.mp4',                     // 20
  ];
  assert.deepEqual(issues(lines.join('\n')), [
    '2: name is empty',
    '3: name cannot be "."',
    '4: name cannot be ".."',
    '5: name contains a path separator (/ or \\)',
    '6: name contains a path separator (/ or \\)',
    '7: name contains a control character (U+0009)',
    '8: name is 256 bytes in UTF-8, over the limit of 255',
    '9: name is 256 bytes in UTF-8, over the limit of 255',
    '10: size must be positive',
    '11: size "-5" is not a whole number of bytes',
    '12: size "12kb" is not a whole number of bytes',
    '13: size 9007199254740992 is over the limit of 9007199254740991 (2^53-1)',
    '14: duplicate name (first on line 1)',
    '15: expected name[,size] but found 3 fields (quote names that contain commas)',
    '16: unterminated quoted field (a closing " is missing)',
    '17: unexpected text after a closing quote',
    '18: name contains a control character (U+007F)',
    '19: name is not valid Unicode (lone surrogate)',
  ]);
  // 255 bytes exactly is fine.
  assert.equal(parseNameList('x'.repeat(255))[0]!.name.length, 255);
});

test('the error message lists at most 50 problems and counts the rest', () => {
  const text = Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? `ok-${i}.mp4` : `bad/${i}.mp4`)).join('\n');
  try {
    parseNameList(text);
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof NameListError);
    assert.equal(e.total, 60);
    assert.equal(e.issues.length, 50);
    assert.match(e.message, /^name list has 60 errors; nothing was imported:\n  line 2: name contains a path separator/);
    assert.match(e.message, /\n  \.\.\. and 10 more$/);
    assert.equal(e.message.split('\n').length, 1 + 50 + 1);
  }
});

test('maxRows bounds the list (bad rows count too)', () => {
  assert.equal(parseNameList('a\nb\nc', { maxRows: 3 }).length, 3);
  assert.deepEqual(issues('a\nb\nc\nd', { maxRows: 3 }), ['4: more than 3 names (the limit); split the list']);
  assert.deepEqual(issues('a/\nb/\nc', { maxRows: 2 }), [
    '1: name contains a path separator (/ or \\)', '2: name contains a path separator (/ or \\)', '3: more than 2 names (the limit); split the list',
  ]);
});

test('a 100,000-row list parses', () => {
  const text = 'name,size\n' + Array.from({ length: 100_000 }, (_, i) => `holiday-video-${String(i).padStart(6, '0')}.mp4,${1000 + i}`).join('\n');
  const rows = parseNameList(text);
  assert.equal(rows.length, 100_000);
  assert.deepEqual(rows[99_999], { line: 100_001, name: 'holiday-video-099999.mp4', size: 100_999 });
});
