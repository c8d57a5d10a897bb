import {boundedPages, type PageBound} from '../core/paging.js'

/** A listing of LISTINGS: its bound and the page size asked for. */
export interface Listing extends PageBound {
  pageSize: number
}

/** At least this many pages whatever the arithmetic: a small listing's pages may also come back part full. */
const MIN_PAGES = 100

function defineListing(action: string, token: string, pageSize: number, items: number, what: string): Listing {
  const maxPages = Math.max(MIN_PAGES, 4 * Math.ceil(items / pageSize))
  return {action, token, pageSize, maxPages, why: `${items.toLocaleString('en-US')} ${what}, ${pageSize} a page`}
}

/**
 * Every paginated listing the CLI makes, with its page size (the API's largest) and the most pages it
 * may take before it is taken for a listing that never ends (core/paging.ts). The bound is four times
 * the full pages of the largest account AWS's quotas allow, per region: AWS documents that a page may
 * come back part full, or empty, with more to follow (GetParametersByPath, ListSecrets, IAM), and four
 * times leaves room for an account whose pages are a quarter full on average. Where AWS sets no quota
 * on the count (Lambda functions, ECS task definition families), 500,000 is assumed, the largest count
 * quota here (Secrets Manager's).
 *  - Secrets Manager ("AWS Secrets Manager quotas"): 500,000 secrets a region, ListSecrets 100 a page;
 *    versions of one secret about 100 (the quota on versions a secret keeps), 100 a page.
 *  - Parameter Store: 100,000 parameters a region at the advanced tier (10,000 standard);
 *    GetParametersByPath 10 a page, DescribeParameters 50.
 *  - IAM: roles, users and customer managed policies stay under 30,000 together with every increase
 *    IAM grants (users are capped at 5,000); GetAccountAuthorizationDetails is read 100 a page here.
 *  - Lambda: no quota on functions (code storage is what is capped); ListFunctions gives 50 a page.
 *  - ECS: no quota on task definition families; ListTaskDefinitionFamilies gives 100 a page.
 * At the pace of src/aws/quotas.ts, the longest (40,000 pages of GetParametersByPath at 40 a second)
 * ends a listing that never would in under 17 minutes; a real account's listing is never cut short.
 */
export const LISTINGS = {
  listSecrets: defineListing('secretsmanager:ListSecrets', 'NextToken', 100, 500_000, 'secrets'),
  listSecretVersionIds: defineListing('secretsmanager:ListSecretVersionIds', 'NextToken', 100, 100, 'versions of a secret'),
  getParametersByPath: defineListing('ssm:GetParametersByPath', 'NextToken', 10, 100_000, 'parameters'),
  describeParameters: defineListing('ssm:DescribeParameters', 'NextToken', 50, 100_000, 'parameters'),
  getAccountAuthorizationDetails: defineListing('iam:GetAccountAuthorizationDetails', 'Marker', 100, 30_000, 'roles, users and policies'),
  listFunctions: defineListing('lambda:ListFunctions', 'NextMarker', 50, 500_000, 'functions'),
  listTaskDefinitionFamilies: defineListing('ecs:ListTaskDefinitionFamilies', 'nextToken', 100, 500_000, 'task definition families'),
} as const

/**
 * The bound a listing runs with. SECRETS_TEST_MAX_PAGES replaces every listing's page cap; it is for
 * the test bed only (an endless endpoint then ends after a few pages instead of tens of thousands).
 */
function boundOf(listing: Listing): PageBound {
  const forTests = Number(process.env.SECRETS_TEST_MAX_PAGES)
  return Number.isInteger(forTests) && forTests > 0 ? {...listing, maxPages: forTests, why: 'SECRETS_TEST_MAX_PAGES, a bound for tests'} : listing
}

/** An SDK paginator (a client package's `paginate...` function), as this module calls it. */
type Paginate<C, I, P> = (config: {client: C; pageSize?: number}, input: I, options?: {abortSignal?: AbortSignal}) => AsyncIterable<P>

/**
 * The pages of one listing through its SDK paginator, bounded (core/paging.ts): they end on a token
 * seen before or at the listing's page cap (exit 6), and once `signal` is aborted (a request in flight
 * is aborted with it). `last` says a page is the last whatever its token (IAM's `IsTruncated: false`).
 */
export function listPages<C, I, P>(
  listing: Listing,
  paginate: Paginate<C, I, P>,
  client: C,
  input: I,
  options: {signal?: AbortSignal; last?: (page: P) => boolean} = {},
): AsyncGenerator<P> {
  const {signal, last} = options
  const pages = paginate({client, pageSize: listing.pageSize}, input, signal ? {abortSignal: signal} : undefined)
  return boundedPages(last ? until(pages, last) : pages, boundOf(listing), signal)
}

async function* until<P>(pages: AsyncIterable<P>, last: (page: P) => boolean): AsyncGenerator<P> {
  for await (const page of pages) {
    yield page
    if (last(page)) return
  }
}
