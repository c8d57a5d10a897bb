import {Args} from '@oclif/core'

/**
 * oclif fills a missing argument from piped stdin (and logs it in its debug trace). stdin carries
 * secret values here, so every argument of every command opts out.
 */
export const optionalArg = (description: string) => Args.string({description, ignoreStdin: true})

/** `ENV/SERVICE NAME`, or the full name `/ENV/SERVICE/NAME` as the only argument. */
export const addressArgs = {
  scope: Args.string({
    description: 'ENV/SERVICE, e.g. prod/api (or a full name such as /prod/api/DB_PASS)',
    required: true,
    ignoreStdin: true,
  }),
  name: optionalArg('secret name, e.g. DB_PASS'),
}

/** For reads: also a full secret ARN alone, or nothing with `--id NAME` (secrets outside the naming scheme). */
export const readAddressArgs = {
  scope: Args.string({
    description: 'ENV/SERVICE, e.g. prod/api (or a full name such as /prod/api/DB_PASS, or a full secret ARN)',
    ignoreStdin: true,
  }),
  name: optionalArg('secret name, e.g. DB_PASS'),
}
