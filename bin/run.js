#!/usr/bin/env node
// The SDK warns on every call under Node 20; users and pipelines must not see that noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
