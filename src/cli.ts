#!/usr/bin/env node
/**
 * The CLI: the terminal edge of the engine, for cron, Windows Task Scheduler, Jenkins and GitLab
 * (bundled by ncc into dist/cli/index.js). Thin: arguments and environment (cli-args.ts), a
 * terminal Platform, Ctrl+C / SIGTERM / Ctrl+Break as an abort, and the engine's exit code.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import packageJson from '../package.json' with { type: 'json' }
import {
  CLI_NAME,
  envName,
  groupHeading,
  helpText,
  parseCliArgs,
  stopSignals,
  timestamp,
  UsageError,
  type RunArgs
} from './cli-args.js'
import { ExitCode, runEngine, type EngineResult, type Platform } from './engine.js'
import { getErrorMessage } from './errors.js'
import { Outputs } from './outputs.js'

const VERSION: string = packageJson.version

interface TerminalPlatform extends Platform {
  outputs: Map<string, string>
}

function terminalPlatform(args: RunArgs): TerminalPlatform {
  const line =
    (stream: NodeJS.WriteStream, prefix = '') =>
    (message: string): void => {
      const stamp = args.timestamps ? timestamp(new Date()) : ''
      const text = message
        .split(/\r?\n/)
        .map(part => `${stamp}${prefix}${part}`)
        .join('\n')
      stream.write(`${text}\n`)
    }
  const out = line(process.stdout)
  const outputs = new Map<string, string>()
  return {
    outputs,
    log: {
      info: out,
      warning: line(process.stderr, 'warning: '),
      error: (message, title) => line(process.stderr, 'error: ')(`${title}: ${message}`),
      startGroup: name => out(groupHeading(name)),
      endGroup: () => undefined
    },
    debug: args.debug ? line(process.stderr, 'debug: ') : () => undefined,
    setOutput: (name, value) => outputs.set(name, value),
    writeSummary: async markdown => {
      if (args.summaryFile === undefined) return
      mkdirSync(dirname(args.summaryFile), { recursive: true })
      writeFileSync(args.summaryFile, markdown)
      out(`Summary written to ${args.summaryFile}`)
    },
    // No post step to hand anything to: on a signal the CLI cancels its jobs itself.
    saveState: () => undefined
  }
}

/** The outputs as one JSON object, with the exit code and the reason next to them. */
function writeOutputFile(path: string, outputs: Map<string, string>, result: EngineResult): void {
  let results: unknown
  try {
    results = JSON.parse(outputs.get(Outputs.Results) ?? '[]')
  } catch {
    results = []
  }
  const duration = Number(outputs.get(Outputs.DurationSeconds) ?? '0')
  const json = {
    [Outputs.Result]:
      outputs.get(Outputs.Result) ?? (result.exitCode === ExitCode.Success ? 'success' : 'failure'),
    [Outputs.FailedWorkflows]: outputs.get(Outputs.FailedWorkflows) ?? '',
    [Outputs.DurationSeconds]: Number.isFinite(duration) ? duration : 0,
    [Outputs.Results]: results,
    'exit-code': result.exitCode,
    failure: result.failure ?? null
  }
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`)
}

/** The engine names inputs as the action does; say which flag and variable that is. */
function inputHint(failure: string): string {
  const name = /^Inputs? '([a-z-]+)'/.exec(failure)?.[1]
  return name === undefined ? '' : ` (--${name} or ${envName(name)}; see --help)`
}

async function main(): Promise<void> {
  let args
  try {
    args = parseCliArgs(process.argv.slice(2), process.env)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`error: ${error.message}\n`)
    process.exitCode = ExitCode.BadInput
    return
  }
  if (args.kind === 'help') {
    process.stdout.write(`${helpText(VERSION)}\n`)
    return
  }
  if (args.kind === 'version') {
    process.stdout.write(`${CLI_NAME} ${VERSION}\n`)
    return
  }
  const platform = terminalPlatform(args)
  for (const warning of args.warnings) platform.log.warning(warning)

  const cancellation = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (cancellation.signal.aborted) {
      platform.log.warning(`Received ${signal} again: exiting now; jobs may still be running.`)
      process.exit(ExitCode.Cancelled)
    }
    platform.log.info(
      `Received ${signal}: cancelling the Data Studio jobs this run started (again to exit at once)`
    )
    cancellation.abort()
  }
  const signals = stopSignals(process.platform)
  for (const signal of signals) process.on(signal, onSignal)
  try {
    const result = await runEngine(
      name => args.inputs[name as keyof RunArgs['inputs']] ?? '',
      platform,
      cancellation.signal
    )
    if (args.outputFile !== undefined) {
      try {
        writeOutputFile(args.outputFile, platform.outputs, result)
      } catch (error) {
        platform.log.warning(
          `Could not write the outputs to ${args.outputFile}: ${getErrorMessage(error)}`
        )
      }
    }
    if (result.failure !== undefined) {
      const stamp = args.timestamps ? timestamp(new Date()) : ''
      process.stderr.write(`${stamp}error: ${result.failure}${inputHint(result.failure)}\n`)
    }
    process.exitCode = result.exitCode
  } catch (error) {
    process.stderr.write(`error: ${getErrorMessage(error)}\n`)
    process.exitCode = ExitCode.WorkflowFailed
  } finally {
    for (const signal of signals) process.off(signal, onSignal)
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${getErrorMessage(error)}\n`)
  process.exitCode = ExitCode.WorkflowFailed
})
