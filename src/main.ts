/**
 * The action's edge: the only module that touches @actions/core. It reads the inputs, runs the
 * plan against Data Studio, and turns the result into outputs, a job summary and the step's
 * verdict.
 */
import * as core from '@actions/core'
import { DataStudioClient } from './client.js'
import { getErrorMessage } from './errors.js'
import { Inputs, readSettings, type Settings } from './inputs.js'
import { LogReporter, verdictLine, type LogSink } from './log.js'
import { failureLine } from './outcome.js'
import { runOutputs } from './outputs.js'
import { runPlan, type RunResult } from './runner.js'
import { renderSummary } from './summary.js'

const githubLog: LogSink = {
  info: message => core.info(message),
  warning: message => core.warning(message),
  error: (message, title) => core.error(message, { title }),
  startGroup: name => core.startGroup(name),
  endGroup: () => core.endGroup()
}

export async function run(): Promise<void> {
  // Masked before anything else can log it, even before it is validated.
  const rawKey = core.getInput(Inputs.ApiKey)
  if (rawKey.trim() !== '') core.setSecret(rawKey.trim())

  let settings: Settings
  try {
    settings = readSettings(name => core.getInput(name))
  } catch (error) {
    core.setFailed(getErrorMessage(error))
    return
  }
  core.debug(`Resolved settings: ${JSON.stringify({ ...settings, apiKey: '***' })}`)

  const client = new DataStudioClient({
    serverUrl: settings.serverUrl,
    tenancy: settings.tenancy,
    environment: settings.environment,
    apiKey: settings.apiKey,
    requestTimeoutMs: settings.requestTimeoutMs,
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
        timeoutMs: settings.timeoutMs,
        pollIntervalMs: settings.pollIntervalMs
      },
      new LogReporter(githubLog, settings.plan.length)
    )
    await report(result, settings)
  } catch (error) {
    core.setFailed(getErrorMessage(error))
  } finally {
    client.dispose()
  }
}

async function report(result: RunResult, settings: Settings): Promise<void> {
  for (const [name, value] of Object.entries(runOutputs(result))) core.setOutput(name, value)
  try {
    await core.summary.addRaw(renderSummary(result, settings), true).write()
  } catch (error) {
    // Outside a runner (or with a read-only summary file) the verdict still stands.
    core.warning(`Could not write the job summary: ${getErrorMessage(error)}`)
  }
  core.info(verdictLine(result))
  const bad = result.workflows.filter(r => r.outcome !== 'success')
  if (result.result !== 'success') core.setFailed(failureLine(bad))
}
