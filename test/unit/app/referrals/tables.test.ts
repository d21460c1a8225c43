import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import {
  importAgencies, importRetention, listAgencies, listRetention, removeAgency, removeRetention, setAgency, setRetention,
} from '../../../../src/app/referral-tables.ts';
import { InputError, NotFoundError } from '../../../../src/domain/errors.ts';
import { AGENCY_CSV, NOW, RETENTION_CSV, referralFixture } from './fixture.ts';

it('referral tables: import, edit, and bad input that changes nothing', async () => {
  const { ctx, root, done } = await referralFixture([]);
  const file = (name: string, body: string) => { const p = join(root, name); writeFileSync(p, body); return p; };
  try {
    const rules = importRetention(ctx, file('r.csv', RETENTION_CSV), NOW);
    assert.deepEqual(rules.map((r) => [r.country, r.asn ?? null, r.days]), [['FR', null, 365], ['NO', null, 21], ['NO', 2119, 60], ['SE', null, 180]]);
    assert.equal(rules[1]!.source, 'Norwegian ISPs, 2019-20 (issue 14)', 'a quoted source with a comma');
    importAgencies(ctx, file('a.csv', AGENCY_CSV), NOW);
    const before = [listRetention(ctx), listAgencies(ctx)];

    // Every bad line is named; nothing is imported.
    const bad = file('bad.csv', 'country,asn,days,source\nNO,,21,ok\nXX,,21,unknown country\nSE,,0,zero days\nSE,ASx,30,bad asn\nDK,,30,\nUK,,30,not ISO\nFI,,2026-01-01,a date\n');
    assert.throws(() => importRetention(ctx, bad, NOW), (e: Error) => {
      assert.ok(e instanceof InputError);
      for (const line of [3, 4, 5, 6, 7, 8]) assert.match(e.message, new RegExp(`line ${line}:`));
      assert.doesNotMatch(e.message, /line 2:/);
      assert.match(e.message, /6 bad line\(s\), nothing imported/);
      assert.match(e.message, /the United Kingdom is GB/);
      return true;
    });
    assert.throws(() => importRetention(ctx, file('dup.csv', 'country,asn,days,source\nNO,,21,a\nno,,30,b\n'), NOW), /NO is given twice/);
    assert.throws(() => importRetention(ctx, file('hdr.csv', 'country,days,source\nNO,21,a\n'), NOW), /line 1 must be the header country,asn,days,source/);
    assert.throws(() => importRetention(ctx, file('quote.csv', 'country,asn,days,source\nNO,,21,"open\n'), NOW), /line 2: unterminated quoted field/);
    assert.throws(() => importAgencies(ctx, file('ba.csv', 'country,agency\nNO,\nQQ,Someone\n'), NOW), (e: Error) => /line 2: agency is empty/.test(e.message) && /line 3: country: unknown country code "QQ"/.test(e.message));
    assert.throws(() => importAgencies(ctx, join(root, 'missing.csv'), NOW), NotFoundError);
    assert.throws(() => importAgencies(ctx, file('empty.csv', 'country,agency,contact\n\n'), NOW), /no rows after the header, nothing imported/);
    assert.deepEqual([listRetention(ctx), listAgencies(ctx)], before, 'nothing changed');

    // Row edits.
    setRetention(ctx, { country: 'dk', days: '30', source: 'test' }, NOW);
    setRetention(ctx, { country: 'NO', asn: '2119', days: '90', source: 'updated' }, NOW);
    assert.deepEqual(listRetention(ctx).filter((r) => r.country === 'DK' || r.asn === 2119).map((r) => [r.country, r.asn ?? null, r.days, r.source]),
      [['DK', null, 30, 'test'], ['NO', 2119, 90, 'updated']]);
    assert.throws(() => setRetention(ctx, { country: 'NO', days: '21', source: '  ' }, NOW), /source .* is empty/);
    assert.throws(() => setRetention(ctx, { country: 'ZZ', days: '21', source: 's' }, NOW), /unknown country code "ZZ"/);
    removeRetention(ctx, 'NO', 'AS2119');
    assert.equal(listRetention(ctx).some((r) => r.asn === 2119), false);
    assert.throws(() => removeRetention(ctx, 'NO', '2119'), NotFoundError);
    setAgency(ctx, { country: 'FR', agency: 'OFMIN' }, NOW);
    assert.equal(listAgencies(ctx).find((a) => a.country === 'FR')!.agency, 'OFMIN');
    removeAgency(ctx, 'FR');
    assert.throws(() => removeAgency(ctx, 'FR'), NotFoundError);
  } finally { await done(); }
});
