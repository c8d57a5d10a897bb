import {describe, expect, it} from 'vitest'

import {parseProjectFile} from '../../src/core/needs-manifest.js'

const SECRET = 'canary-yaml-0c5e'

describe('a YAML syntax error in secrets.yml', () => {
  it.each([
    ['a block scalar header with text after it', `environments:\n  prod:\n    profile: |${SECRET}\n`, 3, 15],
    // The parser notices at the end of the file.
    ['an unterminated quote', `environments:\n  prod:\n    profile: "${SECRET}\n`, 4, 1],
    ['an unterminated flow sequence', `environments:\n  prod:\n    replicaRegions: [${SECRET}\n`, 4, 1],
    ['a bad escape', `environments:\n  prod:\n    profile: "\\q${SECRET}"\n`, 3, 15],
    ['a tab as indentation', `environments:\n\tprod: ${SECRET}\n`, 2, 1],
    ['a duplicate key', `environments:\n  ${SECRET}: {}\n  ${SECRET}: {}\n`, 3, 3],
  ])('is reported by line and column, never quoting the text: %s', (_, text, line, column) => {
    let message = ''
    try {
      parseProjectFile(text, 'secrets.yml')
    } catch (error) {
      message = (error as Error).message
    }

    expect(message).toMatch(new RegExp(`^secrets\\.yml:${line}: invalid YAML at column ${column}: `))
    expect(message).not.toContain(SECRET)
    expect(message).not.toContain('canary')
  })
})
