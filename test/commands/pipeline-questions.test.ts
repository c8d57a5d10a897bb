/**
 * What a question becomes in a pipeline, command by command, as README states it: `delete`, `promote`
 * and a whole-value `set` over a key/value secret exit 2 naming `--yes`, and write nothing; `migrate`
 * takes its flags as the decision and writes.
 */
import {PutParameterCommand} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'

import {ssmClient} from '../../src/aws/clients.js'
import {runCli, uniqueEnv} from '../helpers/cli.js'

const env = uniqueEnv('ask')

describe('a question in a pipeline', () => {
  it('is exit 2 naming --yes for delete, promote and a whole-value set over fields, and nothing changes', async () => {
    expect((await runCli(['set', `${env}/api`, 'TOKEN'], {input: 'pipeline-token-value'})).code).toBe(0)
    expect((await runCli(['set', `${env}/api`, 'DB'], {input: '{"user":"app","password":"pipeline-pw"}'})).code).toBe(0)
    for (const args of [
      ['delete', `${env}/api`, 'TOKEN'],
      ['promote', `${env}/api`, `${env}-next/api`],
      ['set', `${env}/api`, 'DB'],
    ]) {
      const result = await runCli(args, {input: 'a-replacement-value'})
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2)
      expect(result.stderr, args.join(' ')).toContain('--yes')
    }

    expect((await runCli(['get', `${env}/api`, 'TOKEN'])).stdout).toBe('pipeline-token-value')
    expect((await runCli(['get', `${env}/api`, 'DB', '--field', 'password'])).stdout).toBe('pipeline-pw')
    expect(JSON.parse((await runCli(['list', `${env}-next/api`, '--json'])).stdout)).toMatchObject({secrets: []})
  })

  it('is no question for migrate: its flags decide, and it writes', async () => {
    const ssm = await ssmClient({})
    await ssm.send(new PutParameterCommand({Name: `/${env}/orders/DB_PASSWORD`, Value: 'ssm-pipeline-pw', Type: 'SecureString'}))
    const result = await runCli(['migrate', '--from-ssm', `/${env}/orders`, '--to', `${env}/orders`, '--delete-source'])
    expect(result.code, result.stderr).toBe(0)
    expect((await runCli(['get', `${env}/orders`, 'DB_PASSWORD'])).stdout).toBe('ssm-pipeline-pw')
  })
})
