/**
 * A next step that is possible (issue 22): every `--flag` the source's messages and hints name is a
 * flag of some command of this CLI, or one of the few of another tool a hint quotes in full (the AWS
 * CLI, git) or oclif's --help. A hint naming a flag that does not exist would send a user nowhere.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {ROOT} from '../helpers/cli.js'

/** Flags of other tools that hints quote as whole commands: `aws ssm get-parameters-by-path --path ...`, `git diff --cached`, `aws ecs list-task-definition-families --status ACTIVE`, `aws secretsmanager put-resource-policy --block-public-policy --resource-policy file://policy.json`. */
const OTHER_TOOLS = new Set(['help', 'path', 'recursive', 'query', 'output', 'function-name', 'task-definition', 'secret-id', 'key-id', 'master-user-password', 'cached', 'status', 'resource-policy', 'block-public-policy',
  // The IAM commands that apply audit's narrowed policy.
  'policy-arn', 'policy-document', 'set-as-default', 'role-name', 'policy-name',
  // The arguments scan --changed gives git.
  'verify', 'show-toplevel', 'name-only', 'no-renames', 'no-ext-diff', 'no-textconv', 'diff-filter', 'others', 'exclude-standard'])

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

describe('flags named in messages and hints', () => {
  it('are flags this CLI takes, or of the tool a hint quotes', () => {
    const manifest = JSON.parse(readFileSync(`${ROOT}oclif.manifest.json`, 'utf8')) as {commands: Record<string, {flags: Record<string, unknown>}>}
    const known = new Set(Object.values(manifest.commands).flatMap((command) => Object.keys(command.flags)))
    const unknown: string[] = []
    for (const file of sourceFiles(`${ROOT}src`)) {
      for (const [index, line] of readFileSync(file, 'utf8').split('\n').entries()) {
        if (/^\s*(\/\/|\*|\/\*)/.test(line)) continue
        for (const [, flag] of line.matchAll(/--([a-z][\w-]*)/g)) {
          if (!known.has(flag) && !OTHER_TOOLS.has(flag)) unknown.push(`${file.slice(ROOT.length)}:${index + 1} --${flag}`)
        }
      }
    }

    expect(unknown).toEqual([])
  })
})
