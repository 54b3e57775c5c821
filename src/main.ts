/**
 * The action's main step: the only module (with post.ts) that touches @actions/core. It reads the
 * inputs, runs the plan against Data Studio, and turns the result into outputs, a job summary and
 * the step's verdict. A cancelled CI job (SIGINT, then SIGTERM) cancels the jobs this run started.
 */
import * as core from '@actions/core'
import { DataStudioClient } from './client.js'
import { getErrorMessage } from './errors.js'
import { Inputs, readSettings, type Settings } from './inputs.js'
import { LogReporter, verdictLine, type LogSink } from './log.js'
import { failureLine } from './outcome.js'
import { runOutputs } from './outputs.js'
import { runPlan, type RunResult } from './runner.js'
import { ActiveJobsRecorder, allObservers, StateNames } from './state.js'
import { renderSummary } from './summary.js'

const githubLog: LogSink = {
  info: message => core.info(message),
  warning: message => core.warning(message),
  error: (message, title) => core.error(message, { title }),
  startGroup: name => core.startGroup(name),
  endGroup: () => core.endGroup()
}

export const INSECURE_WARNING =
  "TLS certificate verification is off ('insecure-skip-tls-verify: true'): anyone between " +
  "this runner and Data Studio can read the API key. Prefer 'ca-certificate'."

export async function run(): Promise<void> {
  try {
    await runSteps()
  } catch (error) {
    // Whatever went wrong, the step fails with a message rather than a stack trace.
    core.setFailed(getErrorMessage(error))
  }
}

/** core.saveState, which throws when the runner's state file is missing; the run goes on. */
function saveState(name: string, value: string): void {
  try {
    core.saveState(name, value)
  } catch (error) {
    core.debug(`Could not save state '${name}': ${getErrorMessage(error)}`)
  }
}

async function runSteps(): Promise<void> {
  // Masked before anything else can log it, even before it is validated.
  const rawKey = core.getInput(Inputs.ApiKey)
  if (rawKey.trim() !== '') core.setSecret(rawKey.trim())
  saveState(StateNames.IsPost, 'true')

  let settings: Settings
  try {
    settings = readSettings(name => core.getInput(name))
  } catch (error) {
    core.setFailed(getErrorMessage(error))
    return
  }
  core.debug(`Resolved settings: ${JSON.stringify({ ...settings, apiKey: '***' })}`)
  if (settings.insecureSkipTlsVerify) core.warning(INSECURE_WARNING)

  const cancellation = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (cancellation.signal.aborted) return
    core.info(`Received ${signal}: cancelling the Data Studio jobs this run started`)
    cancellation.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const client = new DataStudioClient({
    ...settings,
    onRetry: message => core.info(`  ↻ ${message}`)
  })
  try {
    const workflows = settings.plan.flat().length
    core.info(
      `Running ${workflows} workflow${workflows === 1 ? '' : 's'} in ${settings.plan.length} ` +
        `phase${settings.plan.length === 1 ? '' : 's'} on ${settings.serverUrl} ` +
        `(environment '${settings.environment}', tenancy '${settings.tenancy}')`
    )
    const result = await runPlan(
      settings.plan,
      client,
      {
        maxParallel: settings.maxParallel,
        failFast: settings.failFast,
        cancelOnFailure: settings.cancelOnFailure,
        timeoutMs: settings.timeoutMs,
        pollIntervalMs: settings.pollIntervalMs,
        signal: cancellation.signal
      },
      // The saved state first: by the time a line says a job ended, the post step knows it too.
      allObservers(
        new ActiveJobsRecorder(value => saveState(StateNames.ActiveJobs, value)),
        new LogReporter(githubLog, settings.plan.length)
      )
    )
    await report(result, settings)
  } catch (error) {
    core.setFailed(getErrorMessage(error))
  } finally {
    client.dispose()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

async function report(result: RunResult, settings: Settings): Promise<void> {
  for (const [name, value] of Object.entries(runOutputs(result))) core.setOutput(name, value)
  try {
    const warning = settings.insecureSkipTlsVerify ? `> [!WARNING]\n> ${INSECURE_WARNING}\n\n` : ''
    await core.summary.addRaw(warning + renderSummary(result, settings), true).write()
  } catch (error) {
    // Outside a runner (or with a read-only summary file) the verdict still stands.
    core.warning(`Could not write the job summary: ${getErrorMessage(error)}`)
  }
  core.info(verdictLine(result))
  const bad = result.workflows.filter(r => r.outcome !== 'success')
  if (result.result !== 'success') core.setFailed(failureLine(bad))
}
