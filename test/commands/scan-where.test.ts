import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {LEAKY_TEMPLATE, OFFLINE_ENV, workspaces} from '../helpers/scan.js'

const workspace = workspaces('scan-where-')

describe('secrets scan --baseline, wherever it runs', () => {
  it('matches a baseline made with another path from another directory, in a git repository', async () => {
    const outer = workspace({'repo/trees/examples/template.yaml': LEAKY_TEMPLATE})
    const repo = join(outer, 'repo')
    expect(spawnSync('git', ['init', '--quiet', repo]).status).toBe(0)
    const made = await runCli(['scan', 'repo/trees/examples', '--json'], {env: OFFLINE_ENV, cwd: outer})
    expect(made.code, made.stderr).toBe(7)
    writeFileSync(join(outer, 'baseline.json'), made.stdout)
    const sarif = await runCli(['scan', 'trees', '--format', 'sarif'], {env: OFFLINE_ENV, cwd: repo})
    writeFileSync(join(outer, 'baseline.sarif'), sarif.stdout)
    for (const baseline of ['baseline.json', 'baseline.sarif']) {
      const fromTrees = await runCli(['scan', 'examples', '--baseline', join(outer, baseline)], {env: OFFLINE_ENV, cwd: join(repo, 'trees')})
      expect(fromTrees.code, fromTrees.stdout + fromTrees.stderr).toBe(0)
      const fromInside = await runCli(['scan', '.', '--baseline', join(outer, baseline)], {env: OFFLINE_ENV, cwd: join(repo, 'trees/examples')})
      expect(fromInside.code, fromInside.stdout + fromInside.stderr).toBe(0)
      const fileNamed = await runCli(['scan', 'trees/examples/template.yaml', '--baseline', join(outer, baseline)], {env: OFFLINE_ENV, cwd: repo})
      expect(fileNamed.code, fileNamed.stdout + fileNamed.stderr).toBe(0)
    }
  })

  it('outside git, counts from the directory scanned', async () => {
    const outer = workspace({'infra/template.yaml': LEAKY_TEMPLATE})
    const made = await runCli(['scan', 'infra', '--json'], {env: OFFLINE_ENV, cwd: outer})
    expect(made.code, made.stderr).toBe(7)
    writeFileSync(join(outer, 'baseline.json'), made.stdout)
    const inside = await runCli(['scan', '--baseline', '../baseline.json'], {env: OFFLINE_ENV, cwd: join(outer, 'infra')})
    expect(inside.code, inside.stdout + inside.stderr).toBe(0)
  })
})
