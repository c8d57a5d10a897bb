import {createHash} from 'node:crypto'

import {ExitCode, SecretsError} from './errors.js'

/*
 * A paginated listing that ends. AWS's paginators follow each page's token as long as there is one:
 * they have no page cap and do not notice a token they were given before, so an endpoint that answers
 * every page with a fresh token (or the same one) keeps a command paging forever. Every listing is
 * read through `boundedPages`, which stops it on a token seen before, after its most pages, or when
 * the run is stopped (Ctrl-C, SIGTERM).
 */

/** What bounds one listing. */
export interface PageBound {
  /** The IAM action that lists (`ssm:GetParametersByPath`), as errors name it. */
  action: string
  /** The page field holding the next page's token (`NextToken`, `nextToken`, `NextMarker`, `Marker`). */
  token: string
  /** The most pages it may take: more than the largest account could need (src/aws/paging.ts says why). */
  maxPages: number
  /** Why that many, for the error: `500,000 secrets, 100 a page`. */
  why: string
}

/** A listing that would not end: a token given twice, or more pages than any account holds. Exit 6. */
export class EndlessListingError extends SecretsError {
  constructor(message: string) {
    super(message, {
      code: 'ENDLESS_LISTING',
      exitCode: ExitCode.unavailable,
      hint: 'AWS does not page this way: check --endpoint-url (or AWS_ENDPOINT_URL) and any proxy in between, then run the command again.',
    })
  }
}

/**
 * A listing stopped by the run's signal (the first Ctrl-C or SIGTERM of a command that handles it
 * itself, migrate): 130, or 143 when the abort's reason is `SIGTERM`. The command decides what a
 * stopped listing means; this says only that it did not end.
 */
export class ListingStoppedError extends SecretsError {
  constructor(action: string, reason: unknown) {
    const signal = reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT'
    super(`Stopped by ${signal} before the listing (${action}) ended.`, {
      code: 'INTERRUPTED',
      exitCode: signal === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted,
      hint: 'Run the same command again.',
    })
  }
}

/**
 * The pages of `pages` (an SDK paginator), until the last one. Rejects with EndlessListingError on a
 * page token already seen (a listing going round in a circle) or when `bound.maxPages` pages came and
 * the last still had a token, and with ListingStoppedError once `signal` is aborted: before the next
 * page is asked for, or instead of the failure of the request it aborted.
 */
export async function* boundedPages<P>(pages: AsyncIterable<P>, bound: PageBound, signal?: AbortSignal): AsyncGenerator<P> {
  const stopped = () => new ListingStoppedError(bound.action, signal?.reason)
  if (signal?.aborted) throw stopped()
  // Digests, not tokens: a Parameter Store token is some hundreds of bytes, and a long listing keeps them all.
  const seen = new Set<string>()
  let count = 0
  const iterator = pages[Symbol.asyncIterator]()
  try {
    for (;;) {
      let next: IteratorResult<P>
      try {
        next = await iterator.next()
      } catch (error) {
        if (signal?.aborted) throw stopped()
        throw error
      }

      if (next.done) return
      count += 1
      const token = (next.value as Record<string, unknown> | undefined)?.[bound.token]
      // The page is handed out first: a caller keeps what it read, then learns why the listing stopped.
      yield next.value
      // No token: the paginator ends here by itself.
      if (typeof token !== 'string' || token === '') continue
      const digest = createHash('sha256').update(token).digest('base64')
      if (seen.has(digest)) {
        throw new EndlessListingError(`AWS answered ${bound.action} with a page token it had given before (page ${count}): the listing would go round forever, so it was stopped.`)
      }

      seen.add(digest)
      if (count >= bound.maxPages) {
        throw new EndlessListingError(
          `${bound.action} was still paging after ${count.toLocaleString('en-US')} pages, more than the largest account can fill (${bound.why}), so the listing was stopped.`,
        )
      }

      if (signal?.aborted) throw stopped()
    }
  } finally {
    // Ends the SDK's paginator too when the listing stops early (or its reader stops reading).
    await iterator.return?.(undefined)
  }
}
