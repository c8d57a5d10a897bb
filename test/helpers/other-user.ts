import {accessSync, chmodSync, constants, copyFileSync, cpSync, linkSync, mkdtempSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {BIN, cliEnv, type ProcessResult, ROOT, runProcess} from './cli.js'

/**
 * A path to this Node binary that another user can execute, for tests that run the CLI as one
 * (`setpriv --reuid`). The running binary may sit where only its owner can reach it (a Node line CI
 * installed under root's 0700 home, an nvm under ~/.nvm): then it is linked, or copied, into `dir`,
 * which the caller has made reachable.
 */
export function nodeForOtherUsers(dir: string): string {
  if (reachableByOthers(process.execPath)) return process.execPath
  const target = join(dir, 'node')
  try {
    accessSync(target, constants.X_OK)
    return target
  } catch {}

  try {
    linkSync(process.execPath, target)
  } catch {
    // Another file system: a copy (about 120 MB, once per caller's folder).
    copyFileSync(process.execPath, target)
  }

  return target
}

/** Every folder above `file` lets others through, and `file` lets others execute it. */
function reachableByOthers(file: string): boolean {
  if ((statSync(file).mode & 0o001) === 0) return false
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false
    if (dirname(dir) === dir) return true
  }
}

let installForOthers: {node: string; bin: string} | undefined

/**
 * The node binary and bin/run.js another user can reach. A clone may live where only its owner can
 * enter (a home folder of mode 700, a `mktemp -d`): the built CLI (bin/, dist/, the manifest and
 * package.json: the bundles need no node_modules) is then copied once into a folder anyone can enter.
 */
function cliForOtherUsers(): {node: string; bin: string} {
  if (installForOthers) return installForOthers
  const dir = mkdtempSync(join(tmpdir(), 'secrets-other-user-'))
  chmodSync(dir, 0o755)
  let bin = BIN
  if (!reachableByOthers(BIN)) {
    for (const part of ['bin', 'dist', 'oclif.manifest.json', 'package.json']) cpSync(join(ROOT, part), join(dir, part), {recursive: true})
    bin = join(dir, 'bin', 'run.js')
  }

  installForOthers = {node: nodeForOtherUsers(dir), bin}
  return installForOthers
}

/**
 * Runs the built CLI as another user (setpriv, as root): `uid` should have a passwd entry (65534,
 * nobody). The CLI and node are given to it where it can reach them, wherever the clone lives.
 */
export function runCliAs(uid: number, args: string[], cwd = tmpdir()): Promise<ProcessResult> {
  const {node, bin} = cliForOtherUsers()
  return runProcess('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', node, bin, ...args], {
    cwd,
    env: {...cliEnv(), HOME: tmpdir(), SECRETS_NO_CODE_CACHE: '1'},
  })
}
