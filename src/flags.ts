import {Flags} from '@oclif/core'

/** `--yes`: what replaces a confirmation prompt in a pipeline. */
export const yesFlag = Flags.boolean({char: 'y', description: 'Do not ask for confirmation (required without a terminal).'})

/** `--id`: a secret outside /<env>/<service>/<name>, by its exact name (reads only). */
export const idFlag = Flags.string({description: 'Read the secret with this exact name, outside /<env>/<service>/<name> (e.g. rds!cluster-<uuid>).'})

/** `--on-conflict` for commands that write over existing secrets (migrate, promote). */
export const onConflictFlag = (when: string) =>
  Flags.string({
    description: `${when}: fail (write nothing, exit 4), skip it (write the rest; exit 0, since skipping is what was asked), or overwrite (replaces that value with the source's; the old one stays as AWSPREVIOUS).`,
    options: ['fail', 'skip', 'overwrite'],
    default: 'fail',
  })

/** `--verbose` for commands whose terminal view keeps only what needs attention (migrate, promote). */
export const verboseFlag = Flags.boolean({description: 'At a terminal, show every row of the plan and the result (a pipeline always gets every row).'})

/** `--price-per-secret`: the account's own rate for the cost estimate of migrate and promote. */
export const pricePerSecretFlag = Flags.string({
  description: "USD a secret a month for the plan's cost estimate (default: secrets.yml pricePerSecret, else the list price, 0.40).",
  helpValue: 'USD',
})
