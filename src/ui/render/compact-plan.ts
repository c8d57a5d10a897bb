/**
 * What the compact views of migrate and promote share: which rows a result table can leave out, and
 * the lines that count what a compact plan does not list row by row.
 */

/** The outcome is the plan carried out: create became created, update updated, any other plan stayed as it was. */
export function outcomeAsPlanned(item: {outcome: string; plan: string}): boolean {
  return item.outcome === item.plan || (item.plan === 'create' && item.outcome === 'created') || (item.plan === 'update' && item.outcome === 'updated')
}

/** "2 create, 1 update": how many items have each plan state, in `order`, states with none left out. */
export function planStateCounts(items: readonly {plan: string}[], order: readonly string[]): string {
  return order
    .map((state) => [state, items.filter((item) => item.plan === state).length] as const)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${count} ${state}`)
    .join(', ')
}

/** The line under a compact plan for the `hidden` rows it left out, which have the plan states `states`. */
export function rowsNotShownLine(hidden: number, states: string): string {
  return `${hidden} ${hidden === 1 ? 'row' : 'rows'} not shown (${states}): --verbose shows every row, --json every item.`
}

/** "create, unchanged": the plan states, in `order`, of the rows a compact plan leaves out (those not in `attention`). */
export function hiddenStates(items: readonly {plan: string}[], order: readonly string[], attention: ReadonlySet<string>): string {
  return order.filter((state) => !attention.has(state) && items.some((item) => item.plan === state)).join(', ')
}
