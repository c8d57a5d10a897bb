import {spawnSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {LEAKY_TEMPLATE, OFFLINE_ENV, workspaces} from '../helpers/scan.js'

const workspace = workspaces('scan-changed-')

function git(cwd: string, ...args: string[]): void {
  const result = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {cwd, encoding: 'utf8'})
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`)
}

/** A repository whose main branch has a finding in old.yaml, and a branch that adds new.yaml with another. */
function repository(): string {
  const dir = workspace({'infra/old.yaml': LEAKY_TEMPLATE, 'README.md': '# app\n'})
  git(dir, 'init', '--quiet', '-b', 'main')
  git(dir, 'add', '.')
  git(dir, 'commit', '--quiet', '-m', 'main')
  git(dir, 'checkout', '--quiet', '-b', 'feature')
  writeFileSync(join(dir, 'infra/new.yaml'), LEAKY_TEMPLATE.replace('DB_PASSWORD', 'API_PASSWORD'))
  writeFileSync(join(dir, 'README.md'), '# app, changed\n')
  git(dir, 'add', '.')
  git(dir, 'commit', '--quiet', '-m', 'feature')
  return dir
}

const files = (stdout: string) => (JSON.parse(stdout) as {findings: Array<{file: string}>}).findings.map((item) => item.file)

describe('secrets scan --changed', () => {
  it("scans only what the branch changed since the default branch, committed, in the work tree or new", async () => {
    const dir = repository()
    const branch = await runCli(['scan', '--changed', '--json'], {env: OFFLINE_ENV, cwd: dir})
    expect(branch.code, branch.stderr).toBe(7)
    expect(files(branch.stdout)).toEqual(['infra/new.yaml'])
    expect(JSON.parse(branch.stdout)).toMatchObject({skipped: [], files: {seen: 1, templates: 1}})

    mkdirSync(join(dir, 'stacks'))
    writeFileSync(join(dir, 'stacks/untracked.yaml'), LEAKY_TEMPLATE)
    const sinceHead = await runCli(['scan', '--changed', '--since', 'HEAD', '--json'], {env: OFFLINE_ENV, cwd: dir})
    expect(files(sinceHead.stdout)).toEqual(['stacks/untracked.yaml'])
    const underPath = await runCli(['scan', 'infra', '--changed', '--since', 'HEAD', '--json'], {env: OFFLINE_ENV, cwd: dir})
    expect(underPath.code, underPath.stderr).toBe(0)
    expect(files(underPath.stdout)).toEqual([])
  })

  it('passes when the branch changed no template, and says what is wrong with a ref or a folder outside git', async () => {
    const dir = repository()
    git(dir, 'checkout', '--quiet', 'main')
    const none = await runCli(['scan', '--changed'], {env: OFFLINE_ENV, cwd: dir})
    expect(none.code, none.stdout + none.stderr).toBe(0)
    const bad = await runCli(['scan', '--changed', '--since', 'no-such-ref'], {env: OFFLINE_ENV, cwd: dir})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--since no-such-ref names no commit here')
    const outside = await runCli(['scan', '--changed'], {env: OFFLINE_ENV, cwd: workspace({'a.yaml': LEAKY_TEMPLATE})})
    expect(outside.code).toBe(2)
    expect(outside.stderr).toContain('--changed reads git')
  })
})
