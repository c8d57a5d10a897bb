import {Args} from '@oclif/core'

/** `ENV/SERVICE NAME`, or the full name `/ENV/SERVICE/NAME` as the only argument. */
export const addressArgs = {
  scope: Args.string({
    description: 'ENV/SERVICE, e.g. prod/api (or a full name such as /prod/api/DB_PASS)',
    required: true,
  }),
  name: Args.string({description: 'secret name, e.g. DB_PASS'}),
}
