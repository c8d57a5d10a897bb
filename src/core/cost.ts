/**
 * What a migration or promotion will cost, estimated at Secrets Manager's list price. Parameter Store's
 * standard parameters are free, so a team moving 300 of them learns of the new monthly charge from the
 * bill unless the plan says so. Pure: the counts come from the plan, the price from a flag or
 * secrets.yml.
 */

/** List prices in USD (aws.amazon.com/secrets-manager/pricing): per secret per month, and per 10,000 API calls. */
export const LIST_PRICE_PER_SECRET = 0.4
export const LIST_PRICE_PER_10K_CALLS = 0.05

export interface CostEstimate {
  /** Secrets the run will create (each replica region is billed as one more secret). */
  newSecrets: number
  replicaRegions: number
  /** newSecrets x (1 + replicaRegions): the secrets added to the monthly bill. */
  billedSecrets: number
  pricePerSecret: number
  /** True when pricePerSecret is the list price (no --price-per-secret or secrets.yml pricePerSecret). */
  listPrice: boolean
  /** USD a month for the new secrets. */
  monthly: number
  /** Secrets Manager calls the run makes from here (writes, read-backs, deletion checks): an estimate. */
  apiCalls: number
  /** USD, once, for those calls (unrounded: usually well below a cent). */
  apiCost: number
}

export interface CostInput {
  newSecrets: number
  replicaRegions: number
  apiCalls: number
  /** USD per secret per month; the list price when absent. */
  pricePerSecret?: number
}

export function estimateCost(input: CostInput): CostEstimate {
  const pricePerSecret = input.pricePerSecret ?? LIST_PRICE_PER_SECRET
  const billedSecrets = input.newSecrets * (1 + input.replicaRegions)
  return {
    newSecrets: input.newSecrets,
    replicaRegions: input.replicaRegions,
    billedSecrets,
    pricePerSecret,
    listPrice: input.pricePerSecret === undefined,
    monthly: roundCents(billedSecrets * pricePerSecret),
    apiCalls: input.apiCalls,
    apiCost: Math.round(input.apiCalls * LIST_PRICE_PER_10K_CALLS * 100) / 1_000_000,
  }
}

/**
 * Secrets Manager calls of writing `writes` secrets: one write each (the tags travel with CreateSecret)
 * and one read-back per 20 (BatchGetSecretValue); with deletions, the re-read of each batch of 10
 * sources' secrets before it is deleted. SSM calls are not counted: standard throughput is free.
 */
export function estimateWriteCalls(writes: number, deletions = 0): number {
  return writes + Math.ceil(writes / 20) + Math.ceil(deletions / 10)
}

/** "$240.00": dollars with cents, below a cent as "<$0.01". */
export function dollars(amount: number): string {
  if (amount > 0 && amount < 0.01) return '<$0.01'
  return `$${amount.toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2})}`
}

/**
 * The plan's cost line (none when the plan writes nothing), e.g. "Estimated cost: 300 new secrets x (1 + 1 replica region) x $0.40 =
 * $240.00 a month, plus <$0.01 once for about 320 API calls (list price; --price-per-secret sets yours)."
 */
export function costLine(estimate: CostEstimate): string | undefined {
  const {newSecrets, replicaRegions} = estimate
  // A plan that writes nothing costs nothing: no line at all, rather than "$0.00 for 0 calls".
  if (newSecrets === 0 && estimate.apiCalls === 0) return undefined
  const calls = `${dollars(estimate.apiCost)} once for about ${estimate.apiCalls.toLocaleString('en-US')} API call${estimate.apiCalls === 1 ? '' : 's'}`
  const price = estimate.listPrice ? 'list price; --price-per-secret or pricePerSecret in secrets.yml sets yours' : `your price of ${dollars(estimate.pricePerSecret)} a secret`
  if (newSecrets === 0) return `Estimated cost: no new secrets, so no new monthly charge; ${calls} (${price}).`
  const times = replicaRegions > 0 ? ` x (1 + ${replicaRegions} replica region${replicaRegions === 1 ? '' : 's'})` : ''
  const secrets = `${newSecrets.toLocaleString('en-US')} new secret${newSecrets === 1 ? '' : 's'}`
  return `Estimated cost: ${secrets}${times} x ${dollars(estimate.pricePerSecret)} = ${dollars(estimate.monthly)} a month, plus ${calls} (${price}).`
}

/** A price per secret as given (--price-per-secret, secrets.yml): a plain non-negative decimal, at most 100. */
export function parsePrice(text: string): number | undefined {
  if (!/^\d{1,3}(\.\d{1,4})?$/.test(text)) return undefined
  const price = Number(text)
  return price <= 100 ? price : undefined
}

/**
 * A price per secret as given, or the problem to report: `where` names where it was given
 * (--price-per-secret, or a key of secrets.yml), so the flag and the file say the same thing.
 */
export function readPrice(text: string, where: string): {price: number} | {problem: string} {
  const price = parsePrice(text)
  return price === undefined ? {problem: `${where} must be a price in USD a secret a month, such as 0.40 (at most 100).`} : {price}
}

function roundCents(amount: number): number {
  return Math.round(amount * 100) / 100
}
