import {readFile} from 'node:fs/promises'

import {describe, expect, it} from 'vitest'

import {REFERENCE_PATH, renderCommandReference} from '../../scripts/command-reference.js'
import {publicCommandIds} from '../helpers/manifest.js'

describe('docs/COMMANDS.md', () => {
  it('is what the commands generate now (run "npm run build && npm run docs" after changing a command)', async () => {
    const fresh = await renderCommandReference()
    const committed = await readFile(REFERENCE_PATH, 'utf8')
    expect(committed, 'docs/COMMANDS.md is stale: run "npm run build && npm run docs" and commit it').toBe(fresh)
  })

  it('documents every public command with its flags, examples and exit codes', async () => {
    const reference = await renderCommandReference()
    const commands = publicCommandIds()
    expect(commands).toContain('grant')
    for (const command of commands) expect(reference).toContain(`## \`secrets ${command}\``)

    expect(reference).toContain('| `--on-conflict ON_CONFLICT` |')
    expect(reference).toContain('secrets diff staging/api prod/api --quiet')
    expect(reference).toContain('8 the scopes differ')
    expect(reference).not.toContain('<%')
    expect(reference).not.toMatch(/autocomplete:create|autocomplete script/)
  })
})
