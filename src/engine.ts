/**
 * The engine the action and the CLI share: read the settings, run the plan (or only check it),
 * and report through a Platform — a GitHub runner or a terminal. It decides the exit code; the
 * edges (main.ts, cli.ts) only wire up inputs, signals and the platform.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { ApiError, DataStudioClient, type FailureKind } from './client.js'
import { getErrorMessage } from './errors.js'
import { readSettings, type InputReader, type Settings } from './inputs.js'
import { renderJUnit } from './junit.js'
import { LogReporter, verdictLine, type LogSink } from './log.js'
import { failureLine } from './outcome.js'
import { escapeText } from './markdown.js'
import { Outputs, runOutputs } from './outputs.js'
import type { ReadFile } from './planfile.js'
import { renderPlanTable } from './plantable.js'
import { runPlan, type RunObserver, type RunResult } from './runner.js'
import { ActiveJobsRecorder, allObservers, StateNames } from './state.js'
import { renderSummary } from './summary.js'

/** Where the engine's words go. */
export interface Platform {
  log: LogSink
  debug(message: string): void
  setOutput(name: string, value: string): void
  writeSummary(markdown: string): Promise<void>
  /** Saves what a post step needs; a platform without one may ignore it. */
  saveState(name: string, value: string): void
}

/** The exit codes the CLI documents; the action only cares whether it is 0. */
export const ExitCode = {
  Success: 0,
  WorkflowFailed: 1,
  BadInput: 2,
  Unreachable: 3,
  Cancelled: 130
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

export interface EngineResult {
  exitCode: ExitCode
  /** The one line that says why, when the exit code is not 0. */
  failure: string | undefined
  run: RunResult | undefined
}

const INSECURE_WARNING =
  "TLS certificate verification is off ('insecure-skip-tls-verify: true'): anyone between " +
  "this runner and Data Studio can read the API key. Prefer 'ca-certificate'."

/** Failures that mean the server could not be reached or would not let us in. */
const UNREACHABLE: ReadonlySet<FailureKind> = new Set([
  'auth',
  'forbidden',
  'tls',
  'unresolvable',
  'network',
  'timeout'
])

export async function runEngine(
  read: InputReader,
  platform: Platform,
  signal: AbortSignal,
  readFile?: ReadFile
): Promise<EngineResult> {
  let settings: Settings
  try {
    settings = readSettings(read, readFile)
  } catch (error) {
    // Nothing ran; later steps and the summary still say why.
    const failure = getErrorMessage(error)
    setOutputsWithoutRun(platform, 'failure')
    await writeSummary(
      platform,
      false,
      `## ❌ Data Studio run not started\n\n${escapeText(failure)}\n`
    )
    return { exitCode: ExitCode.BadInput, failure, run: undefined }
  }
  platform.debug(`Resolved settings: ${JSON.stringify({ ...settings, apiKey: '***' })}`)
  if (settings.insecureSkipTlsVerify) platform.log.warning(INSECURE_WARNING)

  const client = new DataStudioClient({
    ...settings,
    onRetry: message => platform.log.info(`  ↻ ${message}`)
  })
  try {
    return settings.dryRun
      ? await dryRun(settings, client, platform, signal)
      : await execute(settings, client, platform, signal)
  } finally {
    client.dispose()
  }
}

async function execute(
  settings: Settings,
  client: DataStudioClient,
  platform: Platform,
  signal: AbortSignal
): Promise<EngineResult> {
  const workflows = settings.plan.flat().length
  platform.log.info(
    `Running ${workflows} workflow${workflows === 1 ? '' : 's'} in ${settings.plan.length} ` +
      `phase${settings.plan.length === 1 ? '' : 's'} on ${settings.serverUrl} ` +
      `(environment '${settings.environment}', tenancy '${settings.tenancy}')`
  )
  // The saved state first: by the time a line says a job ended, the post step knows it too.
  const observer: RunObserver = allObservers(
    new ActiveJobsRecorder(value => platform.saveState(StateNames.ActiveJobs, value)),
    new LogReporter(platform.log, settings.plan.length)
  )
  const run = await runPlan(
    settings.plan,
    client,
    {
      maxParallel: settings.maxParallel,
      failFast: settings.failFast,
      cancelOnFailure: settings.cancelOnFailure,
      timeoutMs: settings.timeoutMs,
      pollIntervalMs: settings.pollIntervalMs,
      signal
    },
    observer
  )
  for (const [name, value] of Object.entries(runOutputs(run))) platform.setOutput(name, value)
  await writeSummary(platform, settings.insecureSkipTlsVerify, renderSummary(run, settings))
  if (settings.junitReport !== undefined) writeJUnit(platform, settings.junitReport, run)
  platform.log.info(verdictLine(run))
  if (run.result === 'success') return { exitCode: ExitCode.Success, failure: undefined, run }
  return { exitCode: exitCodeOf(run), failure: failureLine(run.workflows), run }
}

/** 130 for a cancelled run, 3 when the server could not be reached or refused us, else 1. */
function exitCodeOf(run: RunResult): ExitCode {
  if (run.result === 'cancelled') return ExitCode.Cancelled
  if (run.result === 'success') return ExitCode.Success
  if (run.stoppedBy !== undefined && UNREACHABLE.has(run.stoppedBy)) return ExitCode.Unreachable
  const failed = run.workflows.filter(r => r.outcome !== 'success' && r.outcome !== 'skipped')
  const allUnreachable =
    failed.length > 0 &&
    failed.every(r => r.failureKind !== undefined && UNREACHABLE.has(r.failureKind))
  return allUnreachable ? ExitCode.Unreachable : ExitCode.WorkflowFailed
}

/**
 * Checks everything a run would need — inputs, plan, the server and the key — and executes
 * nothing. The job list is the one authenticated request the API offers without side effects.
 */
async function dryRun(
  settings: Settings,
  client: DataStudioClient,
  platform: Platform,
  signal: AbortSignal
): Promise<EngineResult> {
  const table = renderPlanTable(settings.plan)
  platform.log.info('Dry run: nothing will be executed. The resolved plan:')
  for (const line of table.split('\n')) platform.log.info(line)
  const first = settings.plan[0]?.[0]?.workflow ?? ''
  let serverCheck: string
  let failure: string | undefined
  let exitCode: ExitCode = ExitCode.Success
  try {
    await client.listJobs(first, signal)
    serverCheck =
      `Data Studio at ${settings.serverUrl} answered and accepted the API key ` +
      `(environment '${settings.environment}', tenancy '${settings.tenancy}').`
  } catch (error) {
    failure = `Dry run: ${getErrorMessage(error)}`
    serverCheck = failure
    // Unreachable or refused is 3; a server that answers oddly (a wrong tenancy, say) is set up wrong.
    exitCode = signal.aborted
      ? ExitCode.Cancelled
      : error instanceof ApiError && UNREACHABLE.has(error.kind)
        ? ExitCode.Unreachable
        : ExitCode.BadInput
  }
  platform.log.info(serverCheck)
  setOutputsWithoutRun(platform, failure === undefined ? 'success' : 'failure')
  const verdict = failure === undefined ? '✅ Dry run passed' : '❌ Dry run failed'
  await writeSummary(
    platform,
    settings.insecureSkipTlsVerify,
    [`## ${verdict}`, '', `${escapeText(serverCheck)} Nothing was executed.`, '', table, ''].join(
      '\n'
    )
  )
  if (failure === undefined) {
    platform.log.info('Dry run passed: the plan is valid and the server accepts the key.')
  }
  return { exitCode, failure, run: undefined }
}

/** The outputs when no workflow ran (a dry run, or bad input), so later steps can still test them. */
function setOutputsWithoutRun(platform: Platform, result: 'success' | 'failure'): void {
  platform.setOutput(Outputs.Result, result)
  platform.setOutput(Outputs.FailedWorkflows, '')
  platform.setOutput(Outputs.DurationSeconds, '0')
  platform.setOutput(Outputs.Results, '[]')
}

async function writeSummary(
  platform: Platform,
  insecureSkipTlsVerify: boolean,
  markdown: string
): Promise<void> {
  const warning = insecureSkipTlsVerify ? `> [!WARNING]\n> ${INSECURE_WARNING}\n\n` : ''
  try {
    await platform.writeSummary(warning + markdown)
  } catch (error) {
    // Outside a runner (or with a read-only summary file) the verdict still stands.
    platform.log.warning(`Could not write the job summary: ${getErrorMessage(error)}`)
  }
}

function writeJUnit(platform: Platform, path: string, run: RunResult): void {
  try {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, renderJUnit(run))
    platform.log.info(`JUnit report written to ${path}`)
  } catch (error) {
    platform.log.warning(`Could not write the JUnit report to ${path}: ${getErrorMessage(error)}`)
  }
}
