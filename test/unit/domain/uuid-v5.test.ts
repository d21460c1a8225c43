import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NAMESPACE_URL, uuidV5 } from '../../../src/domain/uuid-v5.ts';

describe('uuidV5', () => {
  it('matches RFC 9562 appendix A.4 (www.example.com in the DNS namespace)', () => {
    assert.equal(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });
  it('is stable, name-sensitive, and refuses a malformed namespace', () => {
    assert.equal(uuidV5(NAMESPACE_URL, 'urn:counterseed:'), uuidV5(NAMESPACE_URL, 'urn:counterseed:'));
    assert.notEqual(uuidV5(NAMESPACE_URL, 'a'), uuidV5(NAMESPACE_URL, 'b'));
    assert.match(uuidV5(NAMESPACE_URL, 'é'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.throws(() => uuidV5('not-a-uuid', 'x'), RangeError);
  });
});
