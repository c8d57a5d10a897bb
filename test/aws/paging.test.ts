import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {LISTINGS} from '../../src/aws/paging.js'
import {ROOT} from '../helpers/cli.js'

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

describe('the listings and their bounds', () => {
  it('reads every SDK paginator of src through listPages, with a listing of LISTINGS', () => {
    const unbounded: string[] = []
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      // Imports name the paginators; every other mention must be listPages(LISTINGS.x, paginateX, ...).
      const code = readFileSync(file, 'utf8').replaceAll(/^import[\s\S]*?from '[^']+'$/gm, '')
      for (const match of code.matchAll(/\bpaginate[A-Z]\w*/g)) {
        const before = code.slice(Math.max(0, match.index - 60), match.index)
        if (!/listPages\(LISTINGS\.\w+, $/.test(before)) unbounded.push(`${file.slice(ROOT.length)}: ${match[0]}`)
      }
    }

    // Before: every listing called its paginator directly (no page cap, no repeated-token check).
    expect(unbounded).toEqual([])
  })

  it('caps each listing at four times the full pages of the largest account, and never under 100 pages', () => {
    expect(Object.fromEntries(Object.entries(LISTINGS).map(([name, listing]) => [name, [listing.pageSize, listing.maxPages]]))).toEqual({
      listSecrets: [100, 20_000],
      listSecretVersionIds: [100, 100],
      getParametersByPath: [10, 40_000],
      describeParameters: [50, 8000],
      getAccountAuthorizationDetails: [100, 1200],
      listFunctions: [50, 40_000],
      listTaskDefinitionFamilies: [100, 20_000],
    })
  })
})
