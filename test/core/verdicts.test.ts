import {describe, expect, it} from 'vitest'

import {finding} from '../../src/core/audit/findings.js'
import {AccessDeniedError} from '../../src/core/errors.js'
import {auditVerdict, diffVerdict} from '../../src/core/verdicts.js'

const counts = (only = 0, right = 0, different = 0, equal = 0) => ({'only-left': only, 'only-right': right, different, equal})

describe('diffVerdict', () => {
  it.each([
    ['equal scopes', true, counts(0, 0, 0, 2), {exitCode: 0}],
    ['names only on the right', false, counts(0, 1, 0, 1), {exitCode: 8}],
    ['a name only on the left', false, counts(1), {exitCode: 8, hint: '"secrets promote staging/api prod/api --dry-run" shows what copying would change.'}],
    ['a different value', false, counts(0, 0, 1), {exitCode: 8, hint: '"secrets promote staging/api prod/api --dry-run" shows what copying would change.'}],
  ])('%s', (_, equal, diffCounts, verdict) => {
    expect(diffVerdict({left: 'staging/api', right: 'prod/api', equal, counts: diffCounts})).toEqual(verdict)
  })
})

describe('auditVerdict', () => {
  const high = finding('ssm-plaintext-secret', {resourceType: 'ssm-parameter', resource: '/prod/db/PASSWORD', detail: 'String', fix: 'secrets migrate ...'})
  const medium = finding('ssm-secure-string', {resourceType: 'ssm-parameter', resource: '/prod/db/TOKEN', detail: 'SecureString', fix: 'secrets migrate ...'})
  const report = {areas: ['ssm' as const], findings: [high, medium], gaps: [], inspected: {ssmParameters: 2}}
  const judge = (failOn?: 'high' | 'medium' | 'low', nothingInspected = false) =>
    auditVerdict({report, failOn, region: 'eu-west-1', nothingInspected, actions: ['ssm:DescribeParameters', 'ssm:GetParameters']})

  it('leaves the exit code at 0 without --fail-on, whatever it found', () => {
    expect(judge()).toEqual({
      result: {region: 'eu-west-1', areas: ['ssm'], failed: false, counts: {high: 1, medium: 1, low: 0, total: 2}, findings: [high, medium], gaps: [], inspected: {ssmParameters: 2}},
      exitCode: 0,
    })
  })

  it.each([
    ['high', 1, '1 finding at or above high (--fail-on high).'],
    ['low', 2, '2 findings at or above low (--fail-on low).'],
  ] as const)('exits 7 with --fail-on %s, the report still whole', (failOn, _, reason) => {
    expect(judge(failOn)).toMatchObject({result: {failOn, failed: true, findings: [high, medium]}, exitCode: 7, reason})
  })

  it('is no report when nothing could be read: exit 5, naming every action it needs', () => {
    expect(() => judge(undefined, true)).toThrow(AccessDeniedError)
    expect(() => judge(undefined, true)).toThrow(expect.objectContaining({exitCode: 5, hint: expect.stringContaining('ssm:DescribeParameters and ssm:GetParameters')}))
  })
})
