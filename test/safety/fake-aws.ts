import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

/**
 * What the fake answers one request with; `hang` never answers (the client must time out). A `body` is
 * sent as it is, as JSON unless `contentType` says otherwise (`text/xml` for the query services).
 */
export type FakeAnswer = {status: number; type: string; message?: string; body?: string; contentType?: string} | 'hang'

export interface FakeRequest {
  /** X-Amz-Target (JSON services), the query Action (IAM, STS) or the REST path (Lambda). */
  operation: string
  body: string
  /** The request's path and query (Lambda's REST calls carry their paging marker there). */
  url: string
}

export interface FakeAws {
  endpoint: string
  requests: FakeRequest[]
  /** HTTP attempts counted per operation (its name's end, or a pattern: Lambda's carry their query). */
  count(operation?: string | RegExp): number
  /** Resolves once `count` requests (of `operation`, if given) have arrived: a point in a run, not a delay. */
  reached(count: number, operation?: string | RegExp): Promise<void>
  close(): Promise<void>
}

/**
 * A local stand-in for AWS on 127.0.0.1 that answers every request as AWS answers an error, in the
 * protocol of the service asked (JSON 1.1 for Secrets Manager and SSM, XML for the query services STS
 * and IAM, a REST error header for Lambda), so the real SDK parses it and our translation runs end to
 * end.
 */
export async function startFakeAws(answer: (request: FakeRequest) => FakeAnswer): Promise<FakeAws> {
  const requests: FakeRequest[] = []
  const hanging: ServerResponse[] = []
  const matches = (request: FakeRequest, operation?: string | RegExp) =>
    operation === undefined || (typeof operation === 'string' ? request.operation.endsWith(operation) : operation.test(request.operation))
  const counted = (operation?: string | RegExp) => requests.filter((request) => matches(request, operation)).length
  let waiters: Array<{count: number; operation?: string | RegExp; resolve: () => void}> = []
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const target = req.headers['x-amz-target']
      const action = /(?:^|&)Action=(\w+)/.exec(body)?.[1]
      const operation = typeof target === 'string' ? target : action ?? `${req.method} ${req.url ?? ''}`
      const request = {operation, body, url: req.url ?? ''}
      requests.push(request)
      const due = waiters.filter((waiter) => counted(waiter.operation) >= waiter.count)
      waiters = waiters.filter((waiter) => !due.includes(waiter))
      for (const waiter of due) waiter.resolve()
      const reply = answer(request)
      if (reply === 'hang') {
        hanging.push(res)
        return
      }

      if (reply.body !== undefined) {
        res.writeHead(reply.status, {'content-type': reply.contentType ?? 'application/x-amz-json-1.1'})
        res.end(reply.body)
        return
      }

      const message = reply.message ?? `${reply.type} (from the fake AWS endpoint)`
      if (action) {
        const xml = `<ErrorResponse><Error><Type>Sender</Type><Code>${reply.type}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`
        res.writeHead(reply.status, {'content-type': 'text/xml'})
        res.end(xml)
        return
      }

      res.writeHead(reply.status, {'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': reply.type})
      res.end(JSON.stringify({__type: reply.type, message}))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    count: counted,
    reached: (count, operation) =>
      new Promise<void>((resolve) => {
        if (counted(operation) >= count) resolve()
        else waiters.push({count, operation, resolve})
      }),
    async close() {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Every request answered with the same error. */
export const always = (status: number, type: string, message?: string) => (): FakeAnswer => ({status, type, message})

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}
