import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SAMPLE_NAME_CAPACITY, sampleNames } from '../../../src/lab/sample-names.ts';
import { LabConfigError } from '../../../src/lab/errors.ts';

const NEUTRAL = /^(holiday-video|garden-party|family-trip|birthday-cake|beach-walk|mountain-hike|city-tour|school-concert|cooking-class|dog-park|lake-picnic|snow-day)-\d{4}\.(mp4|avi|mkv)$/;

test('names are unique, neutral placeholders', () => {
  const names = sampleNames(5000, 42);
  assert.equal(names.length, 5000);
  assert.equal(new Set(names).size, 5000);
  for (const n of names) assert.match(n, NEUTRAL);
  assert.ok(new Set(names.map((n) => n.split('-').slice(0, -1).join('-'))).size > 6, 'several words are used');
});

test('same seed gives the same names, another seed others', () => {
  assert.deepEqual(sampleNames(20, 9), sampleNames(20, 9));
  assert.notDeepEqual(sampleNames(20, 9), sampleNames(20, 10));
  assert.deepEqual(sampleNames(3), sampleNames(3, 1));
});

test('the whole name space can be drawn without repeats; beyond it is refused', () => {
  assert.equal(new Set(sampleNames(SAMPLE_NAME_CAPACITY, 5)).size, SAMPLE_NAME_CAPACITY);
  assert.deepEqual(sampleNames(0), []);
  assert.throws(() => sampleNames(SAMPLE_NAME_CAPACITY + 1), LabConfigError);
  assert.throws(() => sampleNames(-1), LabConfigError);
  assert.throws(() => sampleNames(1.5), LabConfigError);
});
