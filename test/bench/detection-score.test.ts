import {describe, expect, it} from 'vitest'

import {type EvaluatedFinding, type Expectation, familyOfRule, scoreDetection} from '../../bench/detection/score.js'

/** Two sources, each kind of verdict once; the figures below are worked out by hand. */
const expectations: Expectation[] = [
  {source: 'peer', path: 'a.yaml', line: 5, variable: 'DB_PASSWORD', expected: 'secret-value'},
  {source: 'peer', path: 'a.yaml', line: 6, variable: 'API_KEY', expected: 'secret-value'},
  {source: 'peer', path: 'a.yaml', line: 7, expected: 'clean', reason: 'a table name'},
  {source: 'peer', path: 'a.yaml', line: 20, end: 26, expected: 'iam-too-wide'},
  {source: 'peer', path: 'b.tf', line: 3, expected: 'out-of-scope', reason: 'user data'},
  {source: 'peer', path: 'b.tf', line: 9, expected: 'either'},
  {source: 'repo', path: 'serverless.yml', line: 11, variable: 'TOKEN', expected: 'secret-reference'},
  {source: 'repo', path: 'serverless.yml', line: 30, expected: 'wrong-store'},
  {source: 'repo', path: 'serverless.yml', line: 50, variable: 'PASSWORD', expected: 'secret-reference', accept: ['secret-value']},
]

const findings: EvaluatedFinding[] = [
  // Found: the value of DB_PASSWORD, and the policy statement (at its Resource line, inside the range).
  {source: 'peer', path: 'a.yaml', line: 5, rule: 'env-secret-value', variable: 'DB_PASSWORD'},
  {source: 'peer', path: 'a.yaml', line: 24, rule: 'iam-all-secrets'},
  // The same statement reported twice neither helps nor hurts.
  {source: 'peer', path: 'a.yaml', line: 25, rule: 'iam-whole-environment'},
  // Right line, wrong variable (a value attributed to the next entry): a false alarm, and API_KEY is missed.
  {source: 'peer', path: 'a.yaml', line: 6, rule: 'env-secret-value', variable: 'OTHER'},
  // On a clean line and on an out-of-scope line: false alarms on peer negatives.
  {source: 'peer', path: 'a.yaml', line: 7, rule: 'env-secret-name', variable: 'TABLE'},
  {source: 'peer', path: 'b.tf', line: 3, rule: 'env-secret-value'},
  // Where either answer is right: ignored.
  {source: 'peer', path: 'b.tf', line: 9, rule: 'env-secret-value'},
  // In a file the data does not cover: not scored.
  {source: 'peer', path: 'c.yaml', line: 1, rule: 'env-secret-value'},
  // Found by reference, ECS-style variable name.
  {source: 'repo', path: 'serverless.yml', line: 11, rule: 'env-resolved-secret', variable: 'api/TOKEN'},
  // A literal reached through a variable, reported as a value where a reference was expected: accepted.
  {source: 'repo', path: 'serverless.yml', line: 50, rule: 'env-secret-name', variable: 'PASSWORD'},
  // A rule no family knows, in a covered file: a false alarm counted in the total only.
  {source: 'repo', path: 'serverless.yml', line: 40, rule: 'made-up-rule'},
]

describe('scoreDetection', () => {
  const score = scoreDetection(expectations, findings)

  it('counts found, missed and false alarms per family', () => {
    expect(score.byFamily['secret-value']).toEqual({truePositives: 1, falseNegatives: 1, falsePositives: 3, recall: 0.5, precision: 0.25})
    expect(score.byFamily['iam-too-wide']).toEqual({truePositives: 1, falseNegatives: 0, falsePositives: 0, recall: 1, precision: 1})
    expect(score.byFamily['secret-reference']).toEqual({truePositives: 2, falseNegatives: 0, falsePositives: 0, recall: 1, precision: 1})
    expect(score.byFamily['wrong-store']).toEqual({truePositives: 0, falseNegatives: 1, falsePositives: 0, recall: 0, precision: null})
    expect(score.byFamily['resource-policy']).toEqual({truePositives: 0, falseNegatives: 0, falsePositives: 0, recall: null, precision: null})
  })

  it('counts every family together, an unmapped rule included, and per source', () => {
    expect(score.total).toEqual({truePositives: 4, falseNegatives: 2, falsePositives: 4, recall: 4 / 6, precision: 4 / 8})
    expect(score.bySource.peer.total).toEqual({truePositives: 2, falseNegatives: 1, falsePositives: 3, recall: 2 / 3, precision: 2 / 5})
    expect(score.bySource.repo.total).toEqual({truePositives: 2, falseNegatives: 1, falsePositives: 1, recall: 2 / 3, precision: 2 / 3})
  })

  it('lists each miss and false alarm, and what it left unscored', () => {
    expect(score.misses.map((miss) => `${miss.path}:${miss.line}`)).toEqual(['a.yaml:6', 'serverless.yml:30'])
    expect(score.falseAlarms.map((alarm) => `${alarm.path}:${alarm.line}:${alarm.family}:${alarm.onVerdict ?? '-'}`)).toEqual([
      'a.yaml:6:secret-value:secret-value',
      'a.yaml:7:secret-value:clean',
      'b.tf:3:secret-value:out-of-scope',
      'serverless.yml:40:unmapped:-',
    ])
    expect(score.outsideData).toBe(1)
    expect(score.ignored).toBe(1)
    expect(score.peerNegatives).toEqual({lines: 2, reported: 2})
  })
})

describe('familyOfRule', () => {
  it.each([
    ['env-secret-value', undefined, 'secret-value'],
    ['env-secret-name', 'terraform', 'secret-value'],
    ['env-secret-value', 'dotenv', 'wrong-store'],
    ['env-resolved-secret', 'sam', 'secret-reference'],
    ['ssm-plaintext-secret', undefined, 'wrong-store'],
    ['iam-all-secrets', undefined, 'iam-too-wide'],
    ['iam-shared-role', undefined, 'iam-too-wide'],
    ['secret-policy-public', undefined, 'resource-policy'],
    ['made-up-rule', undefined, undefined],
  ])('%s (%s) is %s', (rule, format, family) => {
    expect(familyOfRule(rule, format)).toBe(family)
  })
})
