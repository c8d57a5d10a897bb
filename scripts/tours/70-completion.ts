import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Tour} from '../tour.js'

/** Shell completion: the bash script README's setup line installs, asked what `secrets mi<TAB>` completes to. */
export default async function completion(tour: Tour): Promise<void> {
  // The completion scripts are generated into the CLI's cache folder: a scratch one, not the user's.
  const cache = mkdtempSync(join(tmpdir(), 'secrets-demo-cache-'))
  try {
    tour.section(
      'Shell completion',
      'Commands and flags complete in bash, zsh and PowerShell. The cache is built once (and again after an upgrade);\n' +
        'the line README adds to ~/.bashrc only sources it. Here bash is asked what `secrets mi<TAB>` and\n' +
        '`secrets get --fi<TAB>` complete to, as it asks when you press Tab.',
    )
    const env = {XDG_CACHE_HOME: cache}
    tour.line('secrets autocomplete --refresh-cache', {env})
    tour.line(
      'eval "$(secrets autocomplete script bash)"; for words in "secrets mi" "secrets get --fi"; do COMP_WORDS=($words); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _secrets_autocomplete; echo "$words<TAB> -> ${COMPREPLY[*]}"; done',
      {env},
    )
  } finally {
    rmSync(cache, {recursive: true, force: true})
  }
}
