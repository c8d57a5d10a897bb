import {execFileSync} from 'node:child_process'
import {join} from 'node:path'

import {ROOT} from './cli.js'

/**
 * Packs this repository and installs the tarball globally under `prefix`, as a user would. Returns the
 * tarball's path. The install resolves the dependency ranges afresh for the Node that runs it, so it
 * may download a release the lockfile's install never cached (.ci/run says which CA npm trusts then).
 */
export function packAndInstallGlobally(work: string, prefix: string): string {
  // The bundles `npm test` built are packed as they are: prepack's build would rewrite dist/ under the
  // test files running beside this one (the fresh-clone test in pack.test.ts runs prepack on a copy).
  const pack = ['pack', '--ignore-scripts', '--silent', '--pack-destination', work]
  const tarball = join(work, execFileSync('npm', pack, {cwd: ROOT, encoding: 'utf8'}).trim().split('\n').pop()!)
  execFileSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], {cwd: work, stdio: 'pipe'})
  return tarball
}
