/**
 * grant --runtime: each function's wiring (environment, handler, cache plan) and the rotation of its
 * secrets, asked of DescribeSecret through the store.
 */
import pLimit from 'p-limit'

import {SecretsError, UsageError} from '../core/errors.js'
import type {Runtime, Via} from '../core/runtime-snippets.js'
import {type CachePlan, type FunctionWiring, functionWiring, type RotationState} from '../core/runtime-wiring.js'
import type {SecretStore} from '../stores/secret-store.js'
import type {SecretAddress} from '../core/address.js'

/** A function to grant: `fields`, by full name, the fields of a key/value secret it reads; `runtime`: wire it (`--runtime`). */
export interface RequestedFunction {
  functionName: string
  /** --function-key: the function's key in the template, which keys a serverless.yml block. */
  templateKey?: string
  secrets: SecretAddress[]
  fields?: ReadonlyMap<string, string[]>
  runtime?: Runtime
}

/** Asks DescribeSecret for the rotation of each secret (full names); never rejects: what could not be read is `unchecked`. */
export type RotationLookup = (names: string[]) => Promise<Map<string, RotationState>>

/** DescribeSecret calls at once: as checkDeclaredSecrets, far under the API's rate quota. */
const DESCRIBE_CONCURRENCY = 5

/**
 * With --runtime (or a manifest's runtime:), each function's environment, handler and cache plan;
 * undefined when no function is wired. Rotation is asked once for every secret of every function.
 */
export async function wire(request: {functions: RequestedFunction[]; maxAge?: number; via?: Via; task?: boolean}, rotation?: RotationLookup): Promise<(FunctionWiring & {plan: CachePlan})[] | undefined> {
  if (!request.functions.some((fn) => fn.runtime !== undefined)) return undefined
  for (const fn of request.functions) {
    if (fn.runtime === undefined) {
      throw new UsageError(`Function "${fn.functionName}" has no runtime: give --runtime, or runtime: for it in the manifest.`)
    }

    if (fn.secrets.length === 0) {
      throw new UsageError(`--runtime wires the secrets ${fn.functionName} reads by name: name them with --secret NAME (or NAME:FIELD).`)
    }
  }

  const names = [...new Set(request.functions.flatMap((fn) => fn.secrets.map((address) => address.fullName)))]
  const states = rotation ? await rotation(names) : new Map<string, RotationState>()
  return request.functions.map((fn) =>
    functionWiring(
      fn.functionName,
      fn.runtime as Runtime,
      fn.secrets.map((address) => ({address, fields: fn.fields?.get(address.fullName) ?? []})),
      {maxAge: request.maxAge, rotation: states},
      request.via,
      request.task,
    ),
  )
}

/**
 * DescribeSecret on each secret for its rotation (through the store, never a client of its own).
 * What cannot be read is `unchecked` with why, so a grant without credentials or offline still prints,
 * and says rotation was not checked.
 */
export function rotationLookup(store: Pick<SecretStore, 'describe'>): RotationLookup {
  return async (names) => {
    const limit = pLimit(DESCRIBE_CONCURRENCY)
    const states = await Promise.all(names.map((name) => limit(async () => rotationState(store, name))))
    return new Map(names.map((name, i) => [name, states[i]]))
  }
}

async function rotationState(store: Pick<SecretStore, 'describe'>, name: string): Promise<RotationState> {
  try {
    const {rotation} = await store.describe(name)
    if (rotation === undefined || !rotation.enabled) return {kind: 'disabled'}
    return {kind: 'enabled', ...(rotation.afterDays === undefined ? {} : {afterDays: rotation.afterDays}), ...(rotation.schedule ? {schedule: rotation.schedule} : {})}
  } catch (error) {
    if (!(error instanceof SecretsError)) throw error
    return {kind: 'unchecked', reason: UNCHECKED_REASONS[error.code] ?? `DescribeSecret failed: ${error.code}`}
  }
}

const UNCHECKED_REASONS: Record<string, string> = {
  NOT_FOUND: 'the secret does not exist yet',
  ACCESS_DENIED: 'no credentials, or DescribeSecret denied',
  UNAVAILABLE: 'AWS unreachable',
  USAGE: 'no AWS region configured',
}
