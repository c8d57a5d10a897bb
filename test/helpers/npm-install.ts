import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {ROOT} from './cli.js'

/** The machine's CA bundle (Debian's, else Red Hat's), if it has one. */
function systemCaBundle(): string | undefined {
  return ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'].find((bundle) => existsSync(bundle))
}

/**
 * Packs this repository and installs the tarball globally under `prefix`, as a user would. Returns the
 * tarball's path. A global install resolves the dependency ranges afresh for the Node that runs it (a
 * dependency's newer release may need a newer Node), so it can download what the lockfile's install
 * never cached; behind a TLS-inspecting proxy, whose CA only the machine's store holds, Node's own CA
 * list refuses that download. The machine's store is added for npm alone, as .ci/run does.
 */
export function packAndInstallGlobally(work: string, prefix: string): string {
  const tarball = join(work, execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {cwd: ROOT, encoding: 'utf8'}).trim().split('\n').pop()!)
  const ca = process.env.NODE_EXTRA_CA_CERTS || systemCaBundle()
  execFileSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], {
    cwd: work,
    stdio: 'pipe',
    env: {...process.env, ...(ca ? {NODE_EXTRA_CA_CERTS: ca} : {})},
  })
  return tarball
}
