import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'

import {describe, expect, it} from 'vitest'

import {scanManyForSecrets} from '../../../src/core/audit/secret-scan.js'
import {scanFile} from '../../../src/core/scan/scan-file.js'
import {parseHcl} from '../../../src/services/hcl-parser.js'

const CORPUS = new URL('../../fixtures/scan/', import.meta.url).pathname

/** Every fixture of the corpus; `.expected` files are the expectations of JSON fixtures, not fixtures. */
function fixtures(dir = CORPUS): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) return name === 'bad' ? [] : fixtures(path)
      return name.endsWith('.expected') || name.endsWith('.md') ? [] : [path]
    })
}

/**
 * What a fixture plants: `# planted: rule[, rule]` on the line of the value (YAML, HCL, .env), or for
 * JSON, which has no comments, `LINE RULE` and `LINE look-alike` lines in `<file>.expected`.
 */
function expectations(path: string): {planted: string[]; lookAlikes: number[]} {
  const planted: string[] = []
  const lookAlikes: number[] = []
  let sidecar: string | undefined
  try {
    sidecar = readFileSync(`${path}.expected`, 'utf8')
  } catch {}

  if (sidecar !== undefined) {
    for (const line of sidecar.split('\n').filter(Boolean)) {
      const [at, rule] = line.split(/\s+/)
      if (rule === 'look-alike') lookAlikes.push(Number(at))
      else planted.push(`${at} ${rule}`)
    }
  } else {
    for (const [index, line] of readFileSync(path, 'utf8').split('\n').entries()) {
      const match = /#\s*planted:\s*(.+)$/.exec(line)
      if (match) for (const rule of match[1].split(',')) planted.push(`${index + 1} ${rule.trim()}`)
      if (/#\s*look-alike\b/.test(line)) lookAlikes.push(index + 1)
    }
  }

  return {planted: planted.sort(), lookAlikes}
}

describe('the scan corpus', () => {
  const files = fixtures()

  for (const path of files) {
    const name = relative(CORPUS, path)
    it(`finds every planted mistake of ${name} at its line, and no look-alike`, async () => {
      const {planted, lookAlikes} = expectations(path)
      const result = await scanFile(name, readFileSync(path, 'utf8'), scanManyForSecrets, parseHcl)
      expect(result.kind).toBe('scanned')
      const findings = result.kind === 'scanned' ? result.findings : []
      expect(findings.map((item) => `${item.line} ${item.rule}`).sort()).toEqual(planted)
      const flagged = new Set(findings.map((item) => item.line))
      expect(lookAlikes.filter((line) => flagged.has(line))).toEqual([])
    })
  }

  it('plants at least as many look-alikes as mistakes', () => {
    // Counted here, not by the tests above: tests run in any order.
    const counted = files.map((path) => expectations(path))
    const plantedTotal = counted.reduce((sum, {planted}) => sum + planted.length, 0)
    const lookAlikeTotal = counted.reduce((sum, {lookAlikes}) => sum + lookAlikes.length, 0)
    expect(plantedTotal).toBeGreaterThan(0)
    expect(lookAlikeTotal).toBeGreaterThanOrEqual(plantedTotal)
  })
})
