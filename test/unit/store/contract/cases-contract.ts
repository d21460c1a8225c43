import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createCase, linkCase, listCases, noteCase, setCaseStatus, showCase } from '../../../../src/app/cases.ts';
import { exportEvidence } from '../../../../src/app/evidence.ts';
import { InputError, NotFoundError } from '../../../../src/domain/errors.ts';
import { DAY, IP, NOW, referralFixture } from '../../app/referrals/fixture.ts';
import type { StoreFactory } from '../../../helpers/store-factory.ts';

/** CaseRegister contract: the case register (issue 14 part 5) on every store */
export function casesContract(factory: StoreFactory): void {
  describe(`CaseRegister contract: ${factory.name}`, () => {
    it('cases: create, link, note, status, show; saved exports of `evidence export --case` shown; bad input changes nothing', async () => {
      const { ctx, root, done } = await referralFixture(undefined, factory);
      try {
        createCase(ctx, { id: 'c7', title: 'Swarm on decoy 1', now: NOW });
        createCase(ctx, { id: 'c8', title: 'Partner list', status: 'in-progress', now: NOW + 1 });
        assert.throws(() => createCase(ctx, { id: 'c7', title: 'again' }), /exists already/);
        assert.throws(() => createCase(ctx, { id: '../x', title: 't' }), InputError);
        assert.throws(() => createCase(ctx, { id: 'c9', title: '  ' }), /--title is empty/);
        assert.throws(() => createCase(ctx, { id: 'c9', title: 't', status: 'done' }), /expected open\|in-progress\|referred\|closed/);

        // `evidence export --case c7` saves its filter under the case id; another saved export is linked by name.
        await exportEvidence(ctx, { out: join(root, 'c7'), filter: { ip: IP.A }, caseName: 'c7' });
        await exportEvidence(ctx, { out: join(root, 'b'), filter: { ip: IP.B }, caseName: 'c7-b' });
        ctx.store.referrals.recordReferral({ agency: 'Kripos', createdAt: NOW, sha256: 'b'.repeat(64), path: '/p' }, [{ ip: IP.B, coveredTo: NOW - 20 * DAY }]);

        assert.equal(linkCase(ctx, 'c7', { ips: [` ${IP.A} `, IP.B, '[2001:DB8::1]'], records: ['0', '2'], sources: ['partner X, ref 2025/17'], exports: ['c7-b'] }, NOW + 2), 7);
        assert.equal(linkCase(ctx, 'c7', { ips: [IP.A] }, NOW + 3), 0, 'a link is kept once');
        const size = ctx.store.evidenceLog().tables.count();
        for (const bad of [{ ips: [IP.C, 'not-an-ip'] }, { records: ['x'] }, { records: [String(size)] }, { exports: ['no-such'] }, { sources: [''] }, {}]) {
          assert.throws(() => linkCase(ctx, 'c7', bad, NOW + 4), (e: Error) => e instanceof InputError || e instanceof NotFoundError, JSON.stringify(bad));
        }
        assert.throws(() => linkCase(ctx, 'nope', { ips: [IP.A] }), NotFoundError);

        noteCase(ctx, 'c7', 'Asked Kripos about AS2119.\nSecond line.', NOW + 5);
        assert.throws(() => noteCase(ctx, 'c7', ' '), /note is empty/);
        setCaseStatus(ctx, 'c7', 'referred', NOW + 6);
        assert.throws(() => setCaseStatus(ctx, 'c7', 'referred'), /referred already/);
        assert.throws(() => setCaseStatus(ctx, 'c7', 'archived'), InputError);

        const c = showCase(ctx, 'c7');
        assert.equal(c.status, 'referred');
        assert.deepEqual(c.links.map((l) => [l.kind, l.ref]), [
          ['export', 'c7-b'], ['ip', '193.0.0.1'], ['ip', '193.0.0.2'], ['ip', '2001:db8::1'], ['record', '0'], ['record', '2'], ['source', 'partner X, ref 2025/17'],
        ]);
        assert.deepEqual(c.exports.map((e) => [e.name, JSON.parse(e.filter)]), [['c7', { ip: IP.A }], ['c7-b', { ip: IP.B }]]);
        assert.deepEqual(c.referrals.map((r) => [r.ip, r.agency, r.sha256]), [[IP.B, 'Kripos', 'b'.repeat(64)]]);
        assert.deepEqual(c.entries.map((e) => [e.at, e.kind, e.text]), [[NOW + 5, 'note', 'Asked Kripos about AS2119.\nSecond line.'], [NOW + 6, 'status', 'referred']]);

        assert.deepEqual(listCases(ctx).map((x) => [x.id, x.status, x.links, x.notes, x.updatedAt]), [['c8', 'in-progress', 0, 0, NOW + 1], ['c7', 'referred', 7, 1, NOW + 6]]);
        assert.deepEqual(listCases(ctx, { status: 'referred' }).map((x) => x.id), ['c7']);
      } finally { await done(); }
    });
  });
}
