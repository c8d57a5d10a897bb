import {describe, expect, it} from 'vitest'

import {endpointSetting, isNotAwsAnswer} from '../../src/core/endpoint.js'

const answered = (type: string | undefined) => ({name: 'SyntaxError', $response: {statusCode: 404, headers: type === undefined ? {} : {'content-type': type}}})

describe('isNotAwsAnswer: an answer in no AWS protocol', () => {
  it.each([
    ['text/html', true],
    ['text/html;charset=utf-8', true],
    ['text/plain', true],
    ['application/octet-stream', true],
    ['application/x-amz-json-1.1', false],
    ['application/x-amz-json-1.0', false],
    ['application/json', false],
    ['text/xml', false],
    ['application/xml; charset=utf-8', false],
    ['application/cbor', false],
    [undefined, false],
  ])('%s -> %s', (type, expected) => {
    expect(isNotAwsAnswer(answered(type))).toBe(expected)
  })

  it('is false for errors that carry no response (the network, a deadline)', () => {
    expect(isNotAwsAnswer(new Error('socket hang up'))).toBe(false)
    expect(isNotAwsAnswer(undefined)).toBe(false)
  })
})

describe('endpointSetting: the setting that chose an endpoint, in the SDK order', () => {
  const env = {AWS_ENDPOINT_URL: 'http://all', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://sm'}
  it('prefers the flag, then the service variable, then AWS_ENDPOINT_URL', () => {
    expect(endpointSetting(env, 'http://flag', 'secretsmanager')).toEqual({url: 'http://flag', setting: '--endpoint-url'})
    expect(endpointSetting(env, undefined, 'secretsmanager')).toEqual({url: 'http://sm', setting: 'AWS_ENDPOINT_URL_SECRETS_MANAGER'})
    expect(endpointSetting(env, undefined, 'ssm')).toEqual({url: 'http://all', setting: 'AWS_ENDPOINT_URL'})
    expect(endpointSetting({...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true'}, undefined, 'ssm')).toBeUndefined()
    expect(endpointSetting({}, undefined, 'ssm')).toBeUndefined()
  })
})
