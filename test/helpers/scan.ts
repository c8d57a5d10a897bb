/** What the tests of `secrets scan` share. */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll} from 'vitest'

/** No credentials and no endpoint that answers: a scan that called AWS would fail, not pass quietly. */
export const OFFLINE_ENV = {
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_ENDPOINT_URL_SECRETS_MANAGER: undefined,
  AWS_ENDPOINT_URL_SSM: undefined,
  AWS_REGION: undefined,
  AWS_DEFAULT_REGION: undefined,
}

/** One function with a secret literal in its environment: a high finding, and a canary no output may show. */
export const LEAKY_TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: prod-api
      Environment:
        Variables:
          DB_PASSWORD: hunter2-CANARY-value
`

/**
 * A maker of folders holding `files` (path -> text), each removed after the test file: call it at a
 * test file's top level, once.
 */
export function workspaces(prefix: string): (files?: Record<string, string>) => string {
  const dirs: string[] = []
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
  })
  return (files = {}) => {
    const dir = mkdtempSync(join(tmpdir(), prefix))
    dirs.push(dir)
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), {recursive: true})
      writeFileSync(join(dir, name), text)
    }

    return dir
  }
}
