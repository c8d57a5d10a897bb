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

export async function startProgress(text: string, enabled: boolean): Promise<Progress> {
  if (!enabled || !canAnimate()) return {update() {}, pause() {}, resume() {}, stop() {}}
  const {default: ora} = await import('ora')
  // Progress lines quote names from AWS: escaped, like every text from AWS shown on a terminal.
  const spinner = ora({text: escapeLine(text), stream: process.stderr, discardStdin: false}).start()
  return {
    update(next) {
      spinner.text = escapeLine(next)
    },
    pause() {
      spinner.stop()
    },
    resume() {
      spinner.start()
    },
    stop() {
      spinner.stop()
    },
  }
}
