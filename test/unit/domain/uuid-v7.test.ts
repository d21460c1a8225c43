import assert from 'node:assert/strict';
import { it } from 'node:test';
import { uuidV7 } from '../../../src/domain/uuid-v7.ts';

it('uuidV7: RFC 9562 layout, the timestamp in the first 48 bits, unique and time-ordered', () => {
  const t = 1_764_000_000_123;
  const id = uuidV7(t);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(parseInt(id.replace(/-/g, '').slice(0, 12), 16), t);
  const ids = Array.from({ length: 1000 }, (_, i) => uuidV7(t + i));
  assert.equal(new Set(ids).size, 1000);
  assert.deepEqual([...ids].sort(), ids, 'string order is time order');
  assert.notEqual(uuidV7(t), uuidV7(t), 'random bits differ within one millisecond');
  assert.throws(() => uuidV7(-1), RangeError);
  assert.throws(() => uuidV7(2 ** 48), RangeError);
});
