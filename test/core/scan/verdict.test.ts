import {describe, expect, it} from 'vitest'

import {fingerprintedFrom, scanFinding} from '../../../src/core/scan/findings.js'
import {type ScanReport, scanVerdict} from '../../../src/core/scan/verdict.js'

const high = scanFinding({rule: 'env-secret-value', file: 'a.yaml', format: 'sam', line: 3, column: 9, resource: 'Fn', variable: 'TOKEN', reason: 'r', fix: {change: 'c'}})
const medium = scanFinding({rule: 'iam-whole-environment', file: 'b.yaml', format: 'sam', line: 5, column: 1, resource: 'Fn', reason: 'r', fix: {change: 'c'}})
const report = (over: Partial<ScanReport>): ScanReport => ({findings: [], templates: [], unparsable: [], skipped: [], filesSeen: 0, ...over})

describe('scanVerdict', () => {
  it.each([
    ['no finding', report({}), 'high', 0],
    ['a medium finding under --fail-on high', report({findings: [medium]}), 'high', 0],
    ['a medium finding under --fail-on medium', report({findings: [medium]}), 'medium', 7],
    ['a high finding', report({findings: [high]}), 'high', 7],
    ['an unparsable template and nothing failing', report({findings: [medium], unparsable: [{file: 'c.yaml', reason: 'x'}]}), 'high', 2],
    ['an unparsable template and a failing finding', report({findings: [high], unparsable: [{file: 'c.yaml', reason: 'x'}]}), 'high', 7],
  ] as const)('%s: exit %#', (_, given, failOn, exitCode) => {
    expect(scanVerdict({report: given, failOn}).exitCode).toBe(exitCode)
  })

  it('fails only on findings the baseline does not have, and counts the known ones', () => {
    const known = scanVerdict({report: report({findings: [high]}), failOn: 'high', baseline: {file: 'b.json', fingerprints: new Set([high.fingerprint])}})
    expect(known.exitCode).toBe(0)
    expect(known.result.baseline).toEqual({file: 'b.json', known: 1})
    expect(known.result.findings[0].baselined).toBe(true)
    const other = scanVerdict({report: report({findings: [high]}), failOn: 'high', baseline: {file: 'b.json', fingerprints: new Set(['0'])}})
    expect(other).toMatchObject({exitCode: 7, reason: '1 finding at or above high (--fail-on high).'})
  })

  it('still knows a finding from a baseline written when fingerprints took the path as typed', () => {
    const asTyped = scanFinding({rule: 'env-secret-value', file: 'examples/a.yaml', format: 'sam', line: 3, column: 9, resource: 'Fn', variable: 'TOKEN', reason: 'r', fix: {change: 'c'}})
    const fromTop = fingerprintedFrom(asTyped, 'trees/examples/a.yaml')
    expect(fromTop.fingerprint).not.toBe(asTyped.fingerprint)
    const old = scanVerdict({report: report({findings: [fromTop]}), failOn: 'high', baseline: {file: 'old.json', fingerprints: new Set([asTyped.fingerprint])}})
    expect(old.exitCode).toBe(0)
  })
})
