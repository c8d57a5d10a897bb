import type {Ora} from 'ora'

import {escapeLine} from '../core/printable.js'
import {canAnimate} from './terminal.js'

/**
 * Runs `task` under an ora spinner on stderr when stderr is a terminal and `enabled`; otherwise runs
 * it silently. ora is imported only when a spinner is actually shown.
 *
 * The text names secrets, never values: callers pass names only.
 */
export async function withSpinner<T>(text: string, task: () => Promise<T>, enabled: boolean): Promise<T> {
  if (!enabled || !canAnimate()) return task()
  const {default: ora} = await import('ora')
  const spinner = ora({text: escapeLine(text), stream: process.stderr, discardStdin: false}).start()
  try {
    const result = await task()
    spinner.stop()
    return result
  } catch (error) {
    spinner.stop()
    throw error
  }
}

/** A long-running spinner whose text the caller updates (progress counts). */
export interface Progress {
  update(text: string): void
  /** Takes the spinner off the terminal (to print a table), keeping its text for `resume`. */
  pause(): void
  resume(): void
  stop(): void
}

/**
 * A progress spinner on stderr (a terminal only, `enabled` off in --json mode). With `afterMs`, it is
 * drawn only once the task has run that long, so a quick run shows nothing; the text is whatever the
 * last update said.
 */
export async function startProgress(text: string, enabled: boolean, options: {afterMs?: number} = {}): Promise<Progress> {
  if (!enabled || !canAnimate()) return {update() {}, pause() {}, resume() {}, stop() {}}
  let latest = text
  let spinner: Ora | undefined
  let stopped = false
  let paused = false
  const show = async () => {
    const {default: ora} = await import('ora')
    // Progress lines quote names from AWS: escaped, like every text from AWS shown on a terminal.
    if (!stopped && !paused) spinner = ora({text: escapeLine(latest), stream: process.stderr, discardStdin: false}).start()
  }

  const delay = options.afterMs === undefined ? undefined : setTimeout(() => void show(), options.afterMs).unref()
  if (delay === undefined) await show()
  return {
    update(next) {
      latest = next
      if (spinner) spinner.text = escapeLine(next)
    },
    pause() {
      paused = true
      spinner?.stop()
    },
    resume() {
      paused = false
      spinner?.start()
    },
    stop() {
      stopped = true
      clearTimeout(delay)
      spinner?.stop()
    },
  }
}
