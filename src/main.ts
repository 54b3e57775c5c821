/**
 * The action's main step: the GitHub edge of the engine. It masks the key, turns the runner's
 * cancellation (SIGINT, then SIGTERM) into an abort, and reports through @actions/core — the
 * only modules that touch it are this one and post.ts.
 */
import * as core from '@actions/core'
import { runEngine, type Platform } from './engine.js'
import { getErrorMessage } from './errors.js'
import { Inputs } from './inputs.js'

/** core.saveState throws when the runner's state file is missing; the run goes on without it. */
function saveState(name: string, value: string): void {
  try {
    core.saveState(name, value)
  } catch (error) {
    core.debug(`Could not save state '${name}': ${getErrorMessage(error)}`)
  }
}

const githubPlatform: Platform = {
  log: {
    info: message => core.info(message),
    warning: message => core.warning(message),
    error: (message, title) => core.error(message, { title }),
    startGroup: name => core.startGroup(name),
    endGroup: () => core.endGroup()
  },
  debug: message => core.debug(message),
  setOutput: (name, value) => core.setOutput(name, value),
  writeSummary: async markdown => {
    await core.summary.addRaw(markdown, true).write()
  },
  saveState
}

export async function run(): Promise<void> {
  const cancellation = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (cancellation.signal.aborted) return
    core.info(`Received ${signal}: cancelling the Data Studio jobs this run started`)
    cancellation.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    // Masked before anything else can log it, even before it is validated.
    const rawKey = core.getInput(Inputs.ApiKey)
    if (rawKey.trim() !== '') core.setSecret(rawKey.trim())
    const result = await runEngine(name => core.getInput(name), githubPlatform, cancellation.signal)
    if (result.failure !== undefined) core.setFailed(result.failure)
  } catch (error) {
    // Whatever went wrong, the step fails with a message rather than a stack trace.
    core.setFailed(getErrorMessage(error))
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
