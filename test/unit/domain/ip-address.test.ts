import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipFamily, normalizeIp, normalizeIpInput, socketIp } from '../../../src/domain/ip-address.ts';
import { sourcePrefix } from '../../../src/observation/source-prefix.ts';
import { ipKey as verifierIpKey } from '../../../verifier/verify.mjs';

/** Odd spellings of the same addresses (RFC 4291 section 2.2 text forms) and the one spelling each must become. */
const SPELLINGS: [string, string][] = [
  ['2001:db8::1', '2001:db8::1'],
  ['2001:DB8::1', '2001:db8::1'],
  ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
  ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
  ['2001:db8::0:1', '2001:db8::1'],
  ['2001:0DB8:0::0001', '2001:db8::1'],
  // RFC 5952 4.2.2: a single zero group is not compressed; 4.2.3: the first of two equal runs is.
  ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
  ['2001:db8::1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
  ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
  ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
  // RFC 5952 5: no dotted quad in the canonical form (except mapped, which becomes IPv4).
  ['::1.2.3.4', '::102:304'],
  ['64:ff9b::198.18.0.2', '64:ff9b::c612:2'],
  // RFC 4291 2.5.5.2 IPv4-mapped: the IPv4 address (what a dual-stack socket reports for an IPv4 peer).
  ['::ffff:198.18.0.2', '198.18.0.2'],
  ['::FFFF:198.18.0.2', '198.18.0.2'],
  ['::ffff:c612:2', '198.18.0.2'],
  ['0:0:0:0:0:FFFF:C612:0002', '198.18.0.2'],
  ['0000:0000:0000:0000:0000:ffff:198.18.0.2', '198.18.0.2'],
  ['198.18.0.2', '198.18.0.2'],
  ['::', '::'],
  ['0:0:0:0:0:0:0:0', '::'],
  ['::0001', '::1'],
  ['1::', '1::'],
  ['FE80::0:1%eth0', 'fe80::1%eth0'],
];

const NOT_ADDRESSES = ['', 'example.org', '1.2.3', '256.1.1.1', '010.0.0.1', '1.2.3.4.5', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9',
  '::ffff:1.2.3', 'g::1', '2001:db8::1/64', '[2001:db8::1]:6881', '2001:db8::1%', ' 198.18.0.2', '3232235522', '0x7f000001'];

describe('the one IP address normaliser (domain/ip-address.ts)', () => {
  it('gives every spelling of an address the RFC 5952 spelling, IPv4-mapped as IPv4', () => {
    for (const [text, want] of SPELLINGS) assert.equal(normalizeIp(text), want, text);
  });

  it('refuses what is no address (host names, prefixes, ports, integers, leading-zero IPv4)', () => {
    for (const text of NOT_ADDRESSES) assert.equal(normalizeIp(text), null, JSON.stringify(text));
  });

  it('operator input may also be bracketed or padded', () => {
    assert.equal(normalizeIpInput(' [2001:DB8::0001] '), '2001:db8::1');
    assert.equal(normalizeIpInput('\t::FFFF:198.18.0.2\n'), '198.18.0.2');
    assert.equal(normalizeIpInput('[198.18.0.2]'), '198.18.0.2');
    assert.equal(normalizeIpInput('[2001:db8::1]:6881'), null);
  });

  it('a socket address it cannot read is kept as given, never lost', () => {
    assert.equal(socketIp('::ffff:127.0.0.2'), '127.0.0.2');
    assert.equal(socketIp('weird'), 'weird');
  });

  it('knows the family, mapped addresses being IPv4', () => {
    assert.equal(ipFamily('::ffff:198.18.0.2'), 4);
    assert.equal(ipFamily('2001:db8::2'), 6);
    assert.equal(ipFamily('example.org'), null);
  });

  it('agrees with the standalone verifier\'s key spelling for every spelling node:net accepts', () => {
    for (const [text, want] of SPELLINGS) assert.equal(verifierIpKey(text), `ip:${want}`, text);
  });

  it('source networks (limits, aggregates) are the same whatever the spelling', () => {
    assert.deepEqual(sourcePrefix('2001:0DB8:0001:0002::5'), { network: '2001:db8:1::', length: 48 });
    assert.deepEqual(sourcePrefix('2001:db8:1:ffff::9'), { network: '2001:db8:1::', length: 48 });
    assert.deepEqual(sourcePrefix('::ffff:198.18.0.77'), { network: '198.18.0.0', length: 24 });
    assert.deepEqual(sourcePrefix('nonsense'), { network: 'nonsense', length: 0 });
  });
});
