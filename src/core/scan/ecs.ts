/**
 * Reads an ECS task definition JSON file, as deploy actions take it (`aws ecs register-task-definition
 * --cli-input-json`, amazon-ecs-render-task-definition): `containerDefinitions[].environment`.
 * `secrets` entries (valueFrom) are references by construction and never judged.
 */
import {nodeValue, type Tree} from './tree.js'
import {cfnEnvValue, type Extracted} from './entries.js'

/** A `containerDefinitions` list of containers with a name or image: a task definition. */
export function isTaskDefinition(tree: Tree): boolean {
  const containers = tree.items(tree.get(tree.root, 'containerDefinitions'))
  return containers.length > 0 && containers.some((container) => tree.get(container, 'name') !== undefined || tree.get(container, 'image') !== undefined)
}

export function extractTaskDefinition(tree: Tree, path: string): Extracted {
  const extracted: Extracted = {format: 'ecs', env: [], parameters: [], policies: []}
  const family = nodeValue(tree, tree.get(tree.root, 'family'))
  const workload = family.kind === 'literal' ? family.text : (path.split('/').at(-1) ?? path).replace(/\.json$/i, '')
  for (const container of tree.items(tree.get(tree.root, 'containerDefinitions'))) {
    const name = nodeValue(tree, tree.get(container, 'name'))
    const containerName = name.kind === 'literal' ? name.text : 'container'
    for (const item of tree.items(tree.get(container, 'environment'))) {
      const variable = nodeValue(tree, tree.get(item, 'name'))
      const valueNode = tree.get(item, 'value')
      const value = nodeValue(tree, valueNode)
      if (variable.kind !== 'literal' || value.kind === 'other') continue
      extracted.env.push({
        resource: workload,
        workload,
        where: `the environment of container ${containerName}`,
        container: containerName,
        variable: variable.text,
        value: cfnEnvValue(value),
        position: tree.position(valueNode),
      })
    }
  }

  return extracted
}
