import {createHash} from 'node:crypto'

import {type AwsProxy, type ProxiedRequest, startAwsProxy} from './aws-proxy.js'

/**
 * AWS's RevisionId for Lambda, which the emulator lacks (moto 5.2.1 returns none from
 * GetFunctionConfiguration and ignores the one UpdateFunctionConfiguration carries), played by a
 * loopback proxy in front of it: every configuration answer gets a RevisionId (a digest of the
 * function's configuration as the emulator holds it, so any change, through the proxy or not, gives
 * a new one), and an UpdateFunctionConfiguration whose RevisionId is not the function's current one
 * is refused as AWS refuses it: 412 PreconditionFailedException, the emulator never seeing it.
 */
export interface LambdaRevisionProxy extends AwsProxy {
  /** Every UpdateFunctionConfiguration seen: the function, the RevisionId it carried, and whether it was let through. */
  updates: Array<{fn: string; revisionId?: string; accepted: boolean; keys: string[]}>
  /** Runs once, when the next UpdateFunctionConfiguration arrives and before it is judged: "someone changed the function in between". */
  beforeNextUpdate(change: (fn: string) => Promise<void>): void
  /** Answers the next UpdateFunctionConfiguration with this AWS error, its message made from the request body (a hostile endpoint). */
  refuseNextUpdate(type: string, message: (body: string) => string): void
}

/** The RevisionId the proxy gives a configuration: its digest without the fields that do not make it another revision. */
function revisionOf(configuration: Record<string, unknown>): string {
  const {LastModified: _modified, RevisionId: _revision, ...rest} = configuration
  const hex = createHash('sha256').update(JSON.stringify(rest)).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

const functionOf = (path: string) => decodeURIComponent(/functions\/([^/]+)\/configuration/.exec(path)?.[1] ?? '')

export async function startLambdaRevisionProxy(upstream: string): Promise<LambdaRevisionProxy> {
  const updates: LambdaRevisionProxy['updates'] = []
  let pending: ((fn: string) => Promise<void>) | undefined
  let refusal: {type: string; message: (body: string) => string} | undefined
  const current = async (fn: string): Promise<string> => {
    // The emulator tells services apart by the credential scope of the Authorization header.
    const answer = await fetch(`${upstream}/2015-03-31/functions/${encodeURIComponent(fn)}/configuration`, {
      headers: {authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0'},
    })
    return revisionOf((await answer.json()) as Record<string, unknown>)
  }

  const proxy = await startAwsProxy(upstream, {
    async intercept(request: ProxiedRequest) {
      if (request.operation !== 'UpdateFunctionConfiguration') return undefined
      const fn = functionOf(request.path)
      if (refusal) {
        const {type, message} = refusal
        refusal = undefined
        updates.push({fn, accepted: false, keys: []})
        return {status: 400, headers: {'content-type': 'application/json', 'x-amzn-errortype': type}, body: Buffer.from(JSON.stringify({Type: 'User', message: message(request.body.toString('utf8'))}))}
      }

      const body = JSON.parse(request.body.toString('utf8')) as {RevisionId?: string}
      const change = pending
      pending = undefined
      if (change) await change(fn)
      const accepted = body.RevisionId === undefined || body.RevisionId === (await current(fn))
      updates.push({fn, revisionId: body.RevisionId, accepted, keys: Object.keys(body).sort()})
      if (accepted) return undefined
      return {
        status: 412,
        headers: {'content-type': 'application/json', 'x-amzn-errortype': 'PreconditionFailedException'},
        body: Buffer.from(
          JSON.stringify({Type: 'User', message: 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id'}),
        ),
      }
    },
    rewrite(request, status, body) {
      if (status !== 200 || (request.operation !== 'GetFunctionConfiguration' && request.operation !== 'UpdateFunctionConfiguration')) return body
      const configuration = JSON.parse(body.toString('utf8')) as Record<string, unknown>
      return Buffer.from(JSON.stringify({...configuration, RevisionId: revisionOf(configuration)}))
    },
  })
  return {
    ...proxy,
    updates,
    beforeNextUpdate(change) {
      pending = change
    },
    refuseNextUpdate(type, message) {
      refusal = {type, message}
    },
  }
}
