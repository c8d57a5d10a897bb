import {InterruptedError, UsageError} from '../core/errors.js'
import {canPrompt} from './terminal.js'

/**
 * Prompts are drawn on stderr so `--json` output on stdout stays one clean document. @inquirer/prompts
 * is imported only when a prompt is shown.
 */
const promptContext = () => ({output: process.stderr})

function interrupted(error: unknown): never {
  const name = (error as {name?: string}).name
  if (name === 'ExitPromptError' || name === 'AbortPromptError') throw new InterruptedError('Interrupted; nothing was written.')
  throw error
}

/** What the hidden prompt says when Enter is pressed on nothing; the prompt stays open. */
export const EMPTY_AT_PROMPT = 'An empty secret is refused: type the value (Ctrl-C to stop, nothing is written).'

/**
 * Reads a value with echo off, twice; the two must match. inquirer's Ctrl+T "toggle visibility" is
 * off: a secret is never drawn on screen (scrollback, screen sharing, a terminal recorder).
 */
export async function promptHiddenTwice(label: string): Promise<string> {
  const {password} = await import('./inquirer.js')
  try {
    // An empty value is refused here, at the first prompt, while the user is still typing: Secrets
    // Manager refuses empty secrets, and asking for it twice before saying so wastes both.
    const first = await password(
      {message: `Value for ${label}`, toggleMask: false, validate: (typed) => typed.length > 0 || EMPTY_AT_PROMPT},
      promptContext(),
    )
    const second = await password({message: `Again, to confirm`, toggleMask: false}, promptContext())
    if (first !== second) throw new UsageError(`The two values typed for ${label} differ; nothing was written.`)
    return first
  } catch (error) {
    return interrupted(error)
  }
}

/**
 * Asks yes/no on a terminal. Without one, `assumeYes` must be given: a pipeline never waits, so the
 * command fails at once and names the flag.
 */
export async function confirmOrRequireYes(question: string, assumeYes: boolean): Promise<boolean> {
  if (assumeYes) return true
  if (!canPrompt()) {
    throw new UsageError(`Confirmation needed ("${question}") and there is no terminal to ask on.`, 'Pass --yes to confirm.')
  }

  const {confirm} = await import('./inquirer.js')
  try {
    return await confirm({message: question, default: false}, promptContext())
  } catch (error) {
    return interrupted(error)
  }
}

/**
 * Asks yes/no on a terminal, default no, for a step the flag alone decides in a pipeline (migrate's
 * --delete-source). Ctrl-C at the prompt counts as no: the step is not taken.
 */
export async function confirmOnTerminal(question: string): Promise<boolean> {
  const {confirm} = await import('./inquirer.js')
  try {
    return await confirm({message: question, default: false}, promptContext())
  } catch (error) {
    const name = (error as {name?: string}).name
    if (name === 'ExitPromptError' || name === 'AbortPromptError') return false
    throw error
  }
}
