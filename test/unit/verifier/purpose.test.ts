import assert from 'node:assert/strict';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatReport, purposeWarning, verifyPackage } from '../../../verifier/verify.mjs';

const V1 = fileURLToPath(new URL('../../fixtures/packages/v1', import.meta.url));

it('a package made before manifests named a purpose still verifies; its report says the purpose is not recorded (issue 15 item 2)', () => {
  const res = verifyPackage(V1);
  assert.equal(res.ok, true, JSON.stringify(res.findings));
  assert.equal(res.facts.purpose, null);
  const report = formatReport(res);
  assert.match(report, /^purpose: {5}not recorded/m);
  assert.doesNotMatch(report, /LAB DATA|not evidence/);
});

it('only evidence is evidence: lab, synthetic and anything else carry a warning', () => {
  assert.equal(purposeWarning('evidence'), undefined);
  assert.equal(purposeWarning(null), undefined);
  assert.match(purposeWarning('lab')!, /^LAB DATA: not evidence/);
  assert.match(purposeWarning('synthetic')!, /^SYNTHETIC DATA: not evidence/);
  assert.match(purposeWarning('test')!, /not evidence/);
  const res = verifyPackage(V1);
  const asLab = formatReport({ ...res, facts: { ...res.facts, purpose: 'lab' } }).split('\n');
  assert.match(asLab[0]!, /^\*\*\* LAB DATA: not evidence/);
  assert.match(asLab.at(-1)!, /^\*\*\* LAB DATA: not evidence/);
});
