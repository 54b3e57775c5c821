/**
 * Reads and validates every input once, into one typed settings object. Nothing else reads
 * inputs; everything after this works on plain data. Every error names the input, quotes the bad
 * value (never the API key) and says what is expected, so a bad input stops the run before any
 * request is sent.
 */
import { parse as parseYaml } from 'yaml'
import { readConnection, type Connection } from './connection.js'
import type { VersionChoice } from './contract.js'
import { InputError, invalidInput, quote } from './errors.js'
import { readFileIfExists, type ReadFile } from './files.js'
import {
  Inputs,
  readBoolean,
  readCount,
  readDuration,
  readLabel,
  readOptionalDuration,
  textOf,
  type InputReader
} from './input-values.js'
import { parsePhaseList } from './phases.js'
import { buildPlan, type Plan } from './plan.js'
import { loadPlan } from './planfile.js'

export { Defaults, Inputs, type InputReader } from './input-values.js'
export { readConnection, type Connection } from './connection.js'

export interface Settings extends Connection {
  plan: Plan
  timeoutMs: number | undefined
  pollIntervalMs: number
  /** 0 means every workflow of a phase at once. */
  maxParallel: number
  failFast: boolean
  cancelOnFailure: boolean
  /** Check everything, execute nothing. */
  dryRun: boolean
  /** Where to write a JUnit XML report; undefined = none. */
  junitReport: string | undefined
}

export function readSettings(read: InputReader, readFile: ReadFile = readFileIfExists): Settings {
  const text = textOf(read)
  // Validated in the order of the inputs table, so the first error reported is the first input.
  const connection = readConnection(read, readFile)
  const planSource = readPlanSource(read)
  // A phase list stands alone; a plan file falls back to the inputs below, so it is read last.
  const phases =
    planSource.kind === 'phases' ? parsePhaseList(planSource.text, Inputs.Phases) : undefined
  const limits = {
    maxDurationMs: readOptionalDuration(Inputs.MaxDuration, text(Inputs.MaxDuration)),
    minDurationMs: readOptionalDuration(Inputs.MinDuration, text(Inputs.MinDuration))
  }
  if (
    limits.maxDurationMs !== undefined &&
    limits.minDurationMs !== undefined &&
    limits.minDurationMs >= limits.maxDurationMs
  ) {
    throw new InputError(
      `Input '${Inputs.MinDuration}' (${text(Inputs.MinDuration)}) must be shorter than ` +
        `'${Inputs.MaxDuration}' (${text(Inputs.MaxDuration)}); no run could pass both.`
    )
  }
  const timeoutMs = readOptionalDuration(Inputs.Timeout, text(Inputs.Timeout))
  const pollIntervalMs = readDuration(Inputs.PollInterval, text(Inputs.PollInterval))
  const maxParallel = readCount(Inputs.MaxParallel, text(Inputs.MaxParallel))
  const failFast = readBoolean(Inputs.FailFast, text(Inputs.FailFast))
  const cancelOnFailure = readBoolean(Inputs.CancelOnFailure, text(Inputs.CancelOnFailure))
  const execute = {
    version: readVersion(text(Inputs.Version)),
    refreshSources: readBoolean(Inputs.RefreshSources, text(Inputs.RefreshSources)),
    parameters: readParameters(text(Inputs.Parameters)),
    space: text(Inputs.Space) === '' ? undefined : readLabel(Inputs.Space, text(Inputs.Space))
  }
  const dryRun = readBoolean(Inputs.DryRun, text(Inputs.DryRun))
  const junitReport = text(Inputs.JunitReport) === '' ? undefined : text(Inputs.JunitReport)
  const base = { ...limits, execute }
  return {
    ...connection,
    plan:
      phases !== undefined
        ? buildPlan(phases, limits, execute)
        : loadPlan(planSource.text, readFile, base, Inputs.Plan),
    timeoutMs,
    pollIntervalMs,
    maxParallel,
    failFast,
    cancelOnFailure,
    dryRun,
    junitReport
  }
}

/** Exactly one of `phases` and `plan`. The plan itself is read after every input is checked. */
function readPlanSource(read: InputReader): { kind: 'phases' | 'plan'; text: string } {
  const phases = read(Inputs.Phases)
  const plan = read(Inputs.Plan)
  const hasPhases = phases.trim() !== ''
  const hasPlan = plan.trim() !== ''
  if (hasPhases && hasPlan) {
    throw new InputError(
      `Inputs '${Inputs.Phases}' and '${Inputs.Plan}' are both given: use one — '${Inputs.Phases}' ` +
        `for a list of workflows, '${Inputs.Plan}' for a plan file with per-workflow settings.`
    )
  }
  if (!hasPhases && !hasPlan) {
    throw new InputError(
      `Input '${Inputs.Phases}' (or '${Inputs.Plan}') is required and was not given: name the ` +
        `workflows to run in '${Inputs.Phases}', or give a plan file in '${Inputs.Plan}'.`
    )
  }
  return hasPhases ? { kind: 'phases', text: phases } : { kind: 'plan', text: plan }
}

function readVersion(value: string): VersionChoice {
  const v = value.toLowerCase()
  if (v === 'published' || v === 'publishedonly') return 'PublishedOnly'
  if (v === 'draft' || v === 'preferdraft') return 'PreferDraft'
  throw invalidInput(
    Inputs.Version,
    value,
    'expected published (the last published version) or draft (the latest draft).'
  )
}

/** A JSON or YAML map of parameter names to strings, numbers or booleans. */
function readParameters(
  value: string,
  name: string = Inputs.Parameters
): Record<string, string | number | boolean> | undefined {
  if (value === '') return undefined
  let parsed: unknown
  try {
    parsed = parseYaml(value) // YAML 1.2 is a superset of JSON, so one parser reads both
  } catch (error) {
    throw invalidInput(
      name,
      value,
      `expected a JSON or YAML map of parameter names to values (${(error as Error).message.split('\n')[0]}).`
    )
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidInput(
      name,
      value,
      'expected a JSON or YAML map of parameter names to values, such as {"region": "EMEA"} or region: EMEA.'
    )
  }
  const parameters: Record<string, string | number | boolean> = {}
  for (const [key, v] of Object.entries(parsed)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new InputError(
        `Input '${name}': parameter ${quote(key)} is ${quote(JSON.stringify(v) ?? String(v))}; ` +
          'each value must be a string, a number or true/false.'
      )
    }
    parameters[key] = v
  }
  return parameters
}
