#!/usr/bin/env node
// The benchmark's baseline: a minimal fixed-interval poller, as comparable actions and the vendor's
// script do it (poll every N seconds, no backoff). It runs the same phase loop as the action —
// execute every workflow of a phase, then check each job every poll-interval until it ends, then
// the next phase — and reads the same INPUT_* variables, so bench/run.mjs runs both the same way.
// Plain fetch (keep-alive by default), no retries, no summary: the least work a poller can do.
//
// Paths and the Authorization header as in src/contract.ts (`paths`, `apiRoot`) and
// src/client.ts (authorizationHeader): duplicated here because bench/ is plain JS.
const input = name => process.env[`INPUT_${name.toUpperCase()}`]?.trim() ?? ''

const serverUrl = input('server-url').replace(/\/+$/, '')
const apiKey = input('api-key')
const environment = input('environment') || 'default'
const tenancy = input('tenancy') || '1'
const intervalText = input('poll-interval') || '10s'
const intervalMs = /ms$/.test(intervalText)
  ? Number.parseFloat(intervalText)
  : Number.parseFloat(intervalText) * 1000
const phases = input('phases')
  .split('\n')
  .map(line => line.replace(/#.*/, '').trim())
  .filter(line => line !== '')
  .map(line => line.split(',').map(label => label.trim()))

const root = `${serverUrl}/api/${encodeURIComponent(tenancy)}/`
const headers = {
  Authorization: `${environment} ${apiKey}`,
  'Content-Type': 'application/json',
  Accept: 'application/json'
}
const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'ABORTED'])
/** Bounds, so that no loop can run for ever: at most this many checks of one job. */
const MAX_CHECKS = 10_000

const sleep = ms => new Promise(done => setTimeout(done, ms))

async function call(method, path, body) {
  const response = await fetch(root + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000)
  })
  const answer = await response.json()
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${answer.message}`)
  return answer
}

async function runWorkflow(workflow) {
  const { jobId } = await call('POST', 'workflows/execute', {
    externalLabel: workflow,
    versionToExecute: 'PublishedOnly',
    dependenciesToUse: 'PublishedOnly',
    refreshSources: false
  })
  for (let check = 0; check < MAX_CHECKS; check++) {
    await sleep(intervalMs)
    const job = await call('GET', `jobs/${encodeURIComponent(jobId)}`)
    if (ENDED.has(String(job.state).toUpperCase())) return job.state
  }
  return 'NOT ENDED'
}

let failed = false
for (const [index, workflows] of phases.entries()) {
  const states = await Promise.all(workflows.map(runWorkflow))
  console.log(`phase ${index + 1}: ${workflows.map((w, i) => `${w}=${states[i]}`).join(', ')}`)
  if (states.some(state => state !== 'COMPLETED')) {
    failed = true
    break
  }
}
process.exitCode = failed ? 1 : 0
