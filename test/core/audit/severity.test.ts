import {describe, expect, it} from 'vitest'

import {countFindings, describeCounts, finding, findingsAtOrAbove, groupByArea, RULES} from '../../../src/core/audit/findings.js'
import {atOrAbove, isSeverity, type Severity} from '../../../src/core/audit/severity.js'

describe('severity order', () => {
  it.each<[Severity, Severity, boolean]>([
    ['high', 'high', true],
    ['high', 'medium', true],
    ['high', 'low', true],
    ['medium', 'high', false],
    ['medium', 'medium', true],
    ['medium', 'low', true],
    ['low', 'high', false],
    ['low', 'medium', false],
    ['low', 'low', true],
  ])('%s at or above %s: %s', (severity, threshold, expected) => {
    expect(atOrAbove(severity, threshold)).toBe(expected)
  })

  it('knows its severities', () => {
    expect(isSeverity('medium')).toBe(true)
    expect(isSeverity('critical')).toBe(false)
  })
})

describe('findings', () => {
  const make = (rule: keyof typeof RULES, resource: string) =>
    finding(rule, {resourceType: 'ssm-parameter', resource, detail: 'd', fix: 'f'})
  const findings = [make('ssm-secure-string', '/b'), make('iam-all-secrets', 'r'), make('env-secret-name', 'fn'), make('ssm-plaintext-secret', '/a')]

  it('take area and severity from the rule catalogue', () => {
    expect(findings[0]).toMatchObject({area: 'ssm', severity: 'medium'})
    expect(findings[1]).toMatchObject({area: 'iam', severity: 'high'})
  })

  it('group by mistake in a fixed order, most severe first', () => {
    const groups = groupByArea(findings)
    expect(groups.map((group) => group.area)).toEqual(['env', 'ssm', 'iam'])
    expect(groups[1].findings.map((item) => item.rule)).toEqual(['ssm-plaintext-secret', 'ssm-secure-string'])
  })

  it('count by severity and filter for --fail-on', () => {
    const counts = countFindings(findings)
    expect(counts).toEqual({high: 3, medium: 1, low: 0, total: 4})
    expect(describeCounts(counts)).toBe('3 high, 1 medium')
    expect(describeCounts(countFindings([]))).toBe('none')
    expect(findingsAtOrAbove(findings, 'high')).toHaveLength(3)
    expect(findingsAtOrAbove(findings, 'low')).toHaveLength(4)
  })
})
