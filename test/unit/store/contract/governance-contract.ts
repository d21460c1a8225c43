import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GovernanceStore } from '../../../../src/store/governance.ts';

/**
 * The governance store contract (accounts, sessions, access log, four-eyes requests): every
 * implementation (SQLite today, PostgreSQL later) runs this suite.
 */
export function governanceContract(impl: { name: string; open(): Promise<{ gov: GovernanceStore; dispose(): Promise<void> }> }): void {
  describe(`governance store contract: ${impl.name}`, () => {
    it('accounts: add, find by name and id, list, patch; names are unique', async () => {
      const { gov, dispose } = await impl.open();
      try {
        const a = gov.accounts.add({ username: 'anna', role: 'analyst', passwordHash: 'h1', totpSecret: null, createdAt: 5 });
        assert.deepEqual([a.username, a.role, a.disabled, a.failedLogins, a.lockedUntil], ['anna', 'analyst', false, 0, null]);
        assert.throws(() => gov.accounts.add({ username: 'anna', role: 'admin', passwordHash: 'h', totpSecret: null, createdAt: 6 }));
        gov.accounts.update(a.id, { disabled: true, failedLogins: 3, lockedUntil: 99, totpSecret: 'ABC' });
        const b = gov.accounts.byName('anna')!;
        assert.deepEqual([b.disabled, b.failedLogins, b.lockedUntil, b.totpSecret], [true, 3, 99, 'ABC']);
        assert.equal(gov.accounts.byId(a.id)!.username, 'anna');
        assert.equal(gov.accounts.byName("anna' OR '1'='1"), undefined);
        assert.equal(gov.accounts.list().length, 1);
      } finally { await dispose(); }
    });

    it('login attempts: counted in one statement, the lock set at the limit, refused (nothing counted) while locked', async () => {
      const { gov, dispose } = await impl.open();
      try {
        const a = gov.accounts.add({ username: 'lena', role: 'analyst', passwordHash: 'h', totpSecret: null, createdAt: 1 });
        const counted = Array.from({ length: 7 }, () => gov.accounts.countAttempt(a.id, 1000, 5, 2000));
        assert.deepEqual(counted, [true, true, true, true, true, false, false]);
        assert.deepEqual([gov.accounts.byId(a.id)!.failedLogins, gov.accounts.byId(a.id)!.lockedUntil], [5, 2000]);
        assert.equal(gov.accounts.countAttempt(a.id, 2000, 5, 3000), true, 'the lock has ended: counted, and locked again (still over the limit)');
        assert.deepEqual([gov.accounts.byId(a.id)!.failedLogins, gov.accounts.byId(a.id)!.lockedUntil], [6, 3000]);
      } finally { await dispose(); }
    });

    it('TOTP steps (ASVS 2.8.4): each step used once, only after the last one used; cleared by a patch', async () => {
      const { gov, dispose } = await impl.open();
      try {
        const a = gov.accounts.add({ username: 'tina', role: 'auditor', passwordHash: 'h', totpSecret: 'ABC', createdAt: 1 });
        const other = gov.accounts.add({ username: 'tom', role: 'auditor', passwordHash: 'h', totpSecret: 'ABC', createdAt: 1 });
        assert.equal(a.totpLastStep, null, 'no step used yet');
        const step = 59_000_000;
        assert.deepEqual([step, step, step - 1, step + 1, step + 1].map((s) => gov.accounts.useTotpStep(a.id, s)), [true, false, false, true, false]);
        assert.equal(gov.accounts.byId(a.id)!.totpLastStep, step + 1);
        assert.equal(gov.accounts.useTotpStep(other.id, step), true, 'another account\'s steps are its own');
        assert.equal(gov.accounts.useTotpStep(a.id + other.id + 10, step + 5), false, 'no such account');
        gov.accounts.update(a.id, { totpLastStep: null });
        assert.equal(gov.accounts.useTotpStep(a.id, step), true, 'a new secret starts afresh');
      } finally { await dispose(); }
    });

    it('sessions: by token hash, deleted one by one or per account, expired ones purged', async () => {
      const { gov, dispose } = await impl.open();
      try {
        const a = gov.accounts.add({ username: 'sven', role: 'supervisor', passwordHash: 'h', totpSecret: null, createdAt: 1 });
        gov.sessions.add({ tokenHash: 'a'.repeat(64), accountId: a.id, csrfToken: 'c1', createdAt: 1, expiresAt: 10 });
        gov.sessions.add({ tokenHash: 'b'.repeat(64), accountId: a.id, csrfToken: 'c2', createdAt: 1, expiresAt: 1000 });
        assert.equal(gov.sessions.get('a'.repeat(64))!.csrfToken, 'c1');
        assert.equal(gov.sessions.purgeExpired(10), 1);
        assert.equal(gov.sessions.get('a'.repeat(64)), undefined);
        gov.sessions.deleteForAccount(a.id);
        assert.equal(gov.sessions.get('b'.repeat(64)), undefined);
      } finally { await dispose(); }
    });

    it('access log: appends in order with the last entry handed to the builder; pages and counts', async () => {
      const { gov, dispose } = await impl.open();
      try {
        const seen: (string | undefined)[] = [];
        for (let i = 0; i < 5; i++) {
          gov.accessLog.append((last) => { seen.push(last?.hash); return { at: i, user: 'u', action: 'consult', what: `w${i}`, purpose: 'p', prevHash: last?.hash ?? '0', hash: `h${i}` }; });
        }
        assert.deepEqual(seen, [undefined, 'h0', 'h1', 'h2', 'h3']);
        assert.equal(gov.accessLog.count(), 5);
        const page = gov.accessLog.page(2, 2);
        assert.deepEqual(page.map((e) => [e.seq, e.what]), [[3, 'w2'], [4, 'w3']]);
      } finally { await dispose(); }
    });

    it('requests: added pending, listed per requester and status, decided once (a second decision loses)', async () => {
      const { gov, dispose } = await impl.open();
      try {
        const a = gov.accounts.add({ username: 'anna', role: 'analyst', passwordHash: 'h', totpSecret: null, createdAt: 1 });
        const s = gov.accounts.add({ username: 'sven', role: 'supervisor', passwordHash: 'h', totpSecret: null, createdAt: 1 });
        const r = gov.approvals.add({ kind: 'evidence-export', requestedBy: a.id, requestedAt: 7, params: '{"ip":"198.18.0.1"}', purpose: 'case-1' });
        assert.equal(r.status, 'pending');
        assert.equal(gov.approvals.list({ requestedBy: a.id, limit: 10 }).length, 1);
        assert.equal(gov.approvals.list({ requestedBy: s.id, limit: 10 }).length, 0);
        assert.equal(gov.approvals.decide(r.id, 'pending', 'approved', s.id, 8), true);
        assert.equal(gov.approvals.decide(r.id, 'pending', 'rejected', s.id, 9), false, 'already decided');
        assert.equal(gov.approvals.decide(r.id, 'approved', 'done', null, null, '/pkg'), true);
        const done = gov.approvals.get(r.id)!;
        assert.deepEqual([done.status, done.decidedBy, done.decidedAt, done.result], ['done', s.id, 8, '/pkg']);
        assert.equal(gov.approvals.list({ status: 'pending', limit: 10 }).length, 0);
        const e = gov.approvals.add({ kind: 'erasure', requestedBy: a.id, requestedAt: 9, params: '{"ip":"198.18.0.1"}', purpose: 'case-2' });
        assert.deepEqual(gov.approvals.list({ kinds: ['erasure', 'legal-hold-release'], limit: 10 }).map((x) => x.id), [e.id], 'listed by kind');
        assert.deepEqual(gov.approvals.list({ kinds: ['evidence-export'], limit: 10 }).map((x) => x.id), [r.id]);
      } finally { await dispose(); }
    });

    it('legal holds: placed, active until released, released once (a second release loses)', async () => {
      const { gov, dispose } = await impl.open();
      try {
        const h = gov.holds.place({ ip: '198.18.0.1', caseRef: 'case-1', placedBy: 'anna', placedAt: 5 });
        gov.holds.place({ ip: '198.18.0.2', caseRef: 'case-2', placedBy: 'anna', placedAt: 6 });
        assert.deepEqual(gov.holds.active().map((x) => x.ip), ['198.18.0.1', '198.18.0.2']);
        assert.equal(gov.holds.release(h.id, 'siri', 7), true);
        assert.equal(gov.holds.release(h.id, 'sven', 8), false, 'already released');
        assert.deepEqual([gov.holds.get(h.id)!.releasedBy, gov.holds.get(h.id)!.releasedAt], ['siri', 7]);
        assert.deepEqual(gov.holds.active().map((x) => x.ip), ['198.18.0.2']);
      } finally { await dispose(); }
    });
  });
}
