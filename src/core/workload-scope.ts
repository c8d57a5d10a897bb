/**
 * The one rule that reads a scope off a workload's name (a Lambda function, a task definition family,
 * an IAM principal): audit's and scan's fixes and migrate --all-functions all use it, so a function's
 * secrets are named alike wherever a command names them.
 */
import {partProblem} from './address.js'

/** Words that name an environment when they are one word of a workload's name. */
const ENVIRONMENT_WORDS = new Set([
  'prod',
  'production',
  'prd',
  'live',
  'staging',
  'stage',
  'stg',
  'preprod',
  'uat',
  'qa',
  'test',
  'dev',
  'development',
  'sandbox',
])

export interface GuessedScope {
  env: string
  service: string
}

const valid = (text: string): boolean => partProblem('service', text) === undefined

/**
 * Reads an environment and service off a workload name: `prod-checkout` and `checkout_prod` give
 * prod/checkout; `checkout` gives ENV/checkout. The one rule for a workload's scope: audit's and
 * scan's fixes, and migrate --all-functions (see serviceOfWorkload), name the same service.
 */
export function guessScopeFromWorkload(name: string): GuessedScope {
  const {env, service} = splitWorkloadName(name)
  return {env: env ?? 'ENV', service: valid(service) ? service : 'SERVICE'}
}

/**
 * The service a workload's secrets belong to: its name without the environment word, the other words
 * joined with `-` (`orders-api-prod` and `prod_orders_api` are `orders-api`). Undefined when that is
 * no valid service name.
 */
export function serviceOfWorkload(name: string): string | undefined {
  const {service} = splitWorkloadName(name)
  return valid(service) ? service : undefined
}

function splitWorkloadName(name: string): {env?: string; service: string} {
  const words = name.split(/[-_.]/).filter(Boolean)
  const envIndex = words.findIndex((word) => ENVIRONMENT_WORDS.has(word.toLowerCase()))
  const env = envIndex === -1 ? undefined : words[envIndex].toLowerCase()
  const rest = envIndex === -1 ? words : words.filter((_, index) => index !== envIndex)
  return {env, service: rest.join('-')}
}
