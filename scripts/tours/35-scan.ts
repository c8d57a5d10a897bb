import {relative} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {Tour} from '../tour.js'

const TEMPLATE_DIR = relative(process.cwd(), fileURLToPath(new URL('../../examples/scan/', import.meta.url))) || '.'

/** `secrets scan`: the same three mistakes found in a template before it is deployed, offline. */
export default async function scan(tour: Tour): Promise<void> {
  tour.section(
    'Scan templates before they deploy',
    'The three mistakes audit finds in an account, found in the templates that would make them: no AWS call, no\n' +
      'credentials. examples/scan/template.yaml is a small SAM template with one of each. At or above --fail-on\n' +
      '(high by default) scan exits 7, so a pipeline stops the deploy.',
  )
  tour.secrets(['scan', TEMPLATE_DIR], {expect: 7})
}
