/**
 * Scenario files for the Data Studio simulator: what the simulated server knows (environment,
 * key, tenancy, workflows and how their jobs behave) and how it misbehaves (faults, downtime).
 *
 * Parsing is pure and strict. A scenario is a rehearsal of a real phase plan, so a misspelt key
 * silently falling back to a default would rehearse the wrong thing; every error names the key
 * path and quotes the value it did not accept.
 */
import { parse as parseYaml } from 'yaml'
import { JobState } from '../contract.js'
import { DURATION_FORMS, parseDurationMs } from '../duration.js'

/** The endpoint kinds of the contract's routes; faults can target each one. */
export const ENDPOINT_KINDS = ['execute', 'job', 'jobs', 'cancel'] as const
export type EndpointKind = (typeof ENDPOINT_KINDS)[number]

/** How a job can end on its own (CANCELLED only comes from a cancel request). */
export const OUTCOMES = [JobState.Completed, JobState.Failed, JobState.Aborted] as const
export type Outcome = (typeof OUTCOMES)[number]

/** Status codes the cancel endpoint may answer with when the scenario says it is absent. */
export const CANCEL_ABSENT_STATUSES = [404, 405, 501] as const

/** The label of the optional entry that makes every workflow label exist. */
export const WILDCARD_WORKFLOW = '*'

export interface StepSpec {
  name: string
  /** Relative weight of the step in the job's duration (all steps weigh 1 unless told). */
  share: number
  /** Final values of the step's numeric counters (rowCount, failedRowCount, …). */
  counters: Record<string, number>
}

export interface UnknownStateSpec {
  /** A state the contract does not name, e.g. PAUSED. */
  state: string
  /** When it starts being reported, counted from the job's submission. */
  afterMs: number
  /** How long it is reported; Infinity means for ever (and then the job never ends). */
  forMs: number
}

export interface WorkflowSpec {
  queuedMs: number
  /** Running time from start to end; Infinity when the job never ends (`duration: never`). */
  durationMs: number
  /** The job never ends: it stays RUNNING in its last step once its duration has passed. */
  hang: boolean
  outcome: Outcome
  /** The failure message of a FAILED or ABORTED job. */
  message: string | null
  /** Index of the step that fails (FAILED/ABORTED only, when there are steps). */
  failingStep: number | undefined
  steps: StepSpec[]
  unknownState: UnknownStateSpec | undefined
  /** When declared, an execute request naming any other parameter is refused with 400. */
  parameters: string[] | undefined
}

export interface LatencySpec {
  minMs: number
  maxMs: number
}

export interface AcceptThenDropSpec {
  /** Drop the answer of the first N jobs created. */
  first: number
  /** Drop the answer of this fraction of the jobs created (after the first N). */
  rate: number
}

/** Fault settings of one endpoint kind (or of all); absent keys come from `all` or no fault. */
export interface FaultSpec {
  errorRate?: number
  errorCodes?: number[]
  rateLimitRate?: number
  retryAfterSeconds?: number
  dropRate?: number
  latency?: LatencySpec
  acceptThenDrop?: AcceptThenDropSpec
}

export type FaultTable = Partial<Record<EndpointKind | 'all', FaultSpec>>

export interface DowntimeWindow {
  /** Start, counted from the moment the server started listening. */
  startMs: number
  durationMs: number
  /** Answer 503, or destroy the connection without answering. */
  mode: 503 | 'drop'
}

export interface Scenario {
  description: string | undefined
  environment: string
  apiKey: string
  tenancy: string
  seed: number
  firstJobId: number
  /** undefined when the cancel endpoint exists, else the status it answers with. */
  cancelAbsentStatus: (typeof CANCEL_ABSENT_STATUSES)[number] | undefined
  /** Hostile server: quote the request's Authorization header in every error body. */
  echoAuthorization: boolean
  workflows: Record<string, WorkflowSpec>
  wildcard: WorkflowSpec | undefined
  faults: FaultTable
  downtime: DowntimeWindow[]
}

export const DEFAULT_ERROR_CODES = [500, 502, 503, 504]

/** A scenario the simulator cannot run; the message names the key path and the bad value. */
export class ScenarioError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ScenarioError'
  }
}

// ---------------------------------------------------------------------------------------------
// Small readers: each takes the value and its key path, and throws a ScenarioError naming both.
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>

function quote(value: unknown): string {
  const text = JSON.stringify(value)
  if (text === undefined) return String(value)
  return text.length > 120 ? `${text.slice(0, 120)}…` : text
}

function fail(path: string, expected: string, value: unknown): never {
  throw new ScenarioError(`${path}: expected ${expected}, got ${quote(value)}`)
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function readObject(value: unknown, path: string): Json {
  if (!isRecord(value)) fail(path, 'a mapping of keys to values', value)
  return value
}

function checkKeys(object: Json, path: string, known: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      throw new ScenarioError(
        `${path}: unknown key ${quote(key)} (known keys: ${known.join(', ')})`
      )
    }
  }
}

function join(path: string, key: string): string {
  if (path === '') return key
  return /^[A-Za-z_][\w-]*$/.test(key) ? `${path}.${key}` : `${path}[${quote(key)}]`
}

function readString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(path, 'a non-empty string', value)
  return value
}

function readBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, 'true or false', value)
  return value
}

function readRate(value: unknown, path: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    fail(path, 'a rate between 0 and 1', value)
  }
  return value
}

function readCount(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    fail(path, 'a whole number of 0 or more', value)
  }
  return value
}

function readDuration(value: unknown, path: string): number {
  if (typeof value === 'number' || typeof value === 'string') {
    const ms = parseDurationMs(String(value))
    if (ms !== undefined) return ms
  }
  return fail(path, DURATION_FORMS, value)
}

/** A duration that may also be `never` (Infinity). */
function readDurationOrNever(value: unknown, path: string): number {
  if (typeof value === 'string' && value.trim().toLowerCase() === 'never') return Infinity
  if (typeof value === 'number' || typeof value === 'string') {
    const ms = parseDurationMs(String(value))
    if (ms !== undefined) return ms
  }
  return fail(path, `${DURATION_FORMS}, or never`, value)
}

/** Retry-After is sent in whole seconds; a bare number here is seconds, as in the header. */
function readRetryAfterSeconds(value: unknown, path: string): number {
  const ms = readDuration(value, path)
  return Math.ceil(ms / 1000)
}

// ---------------------------------------------------------------------------------------------
// Workflows
// ---------------------------------------------------------------------------------------------

const WORKFLOW_KEYS = [
  'queued',
  'duration',
  'hang',
  'outcome',
  'message',
  'failingStep',
  'steps',
  'unknownState',
  'parameters'
] as const

const STEP_KEYS_RESERVED = ['name', 'share']

/** The keys a workflow entry (or `defaults`) actually sets, before defaults are filled in. */
type WorkflowFields = Partial<Omit<WorkflowSpec, 'failingStep'>> & {
  failingStep?: string | number
}

function readStep(value: unknown, path: string): StepSpec {
  // A bare string is a step with that name and no counters: handy for quick scenarios.
  if (typeof value === 'string') return { name: readString(value, path), share: 1, counters: {} }
  const raw = readObject(value, path)
  const step: StepSpec = { name: readString(raw.name, join(path, 'name')), share: 1, counters: {} }
  if (raw.share !== undefined) {
    if (typeof raw.share !== 'number' || !(raw.share > 0) || !Number.isFinite(raw.share)) {
      fail(join(path, 'share'), 'a number above 0', raw.share)
    }
    step.share = raw.share
  }
  for (const [key, counter] of Object.entries(raw)) {
    if (STEP_KEYS_RESERVED.includes(key)) continue
    // Any other key is a counter: the contract lets steps carry any numeric counters.
    if (typeof counter !== 'number' || !Number.isFinite(counter) || counter < 0) {
      throw new ScenarioError(
        `${join(path, key)}: expected a counter (a number of 0 or more; a step's keys are name, share and numeric counters such as rowCount), got ${quote(counter)}`
      )
    }
    step.counters[key] = counter
  }
  return step
}

function readUnknownState(value: unknown, path: string): UnknownStateSpec {
  // `unknownState: PAUSED` is short for "report PAUSED from submission, for ever".
  const raw = typeof value === 'string' ? { state: value } : readObject(value, path)
  checkKeys(raw, path, ['state', 'after', 'for'])
  const state = readString(raw.state, join(path, 'state')).trim().toUpperCase()
  if ((Object.values(JobState) as string[]).includes(state)) {
    fail(
      join(path, 'state'),
      `a state the contract does not know (not one of ${Object.values(JobState).join(', ')})`,
      raw.state
    )
  }
  return {
    state,
    afterMs: raw.after === undefined ? 0 : readDuration(raw.after, join(path, 'after')),
    forMs: raw.for === undefined ? Infinity : readDurationOrNever(raw.for, join(path, 'for'))
  }
}

function readWorkflowFields(value: unknown, path: string): WorkflowFields {
  if (value === null || value === undefined) return {} // `wf1:` with nothing: all defaults
  const raw = readObject(value, path)
  checkKeys(raw, path, WORKFLOW_KEYS)
  const fields: WorkflowFields = {}
  if (raw.queued !== undefined) fields.queuedMs = readDuration(raw.queued, join(path, 'queued'))
  if (raw.duration !== undefined) {
    fields.durationMs = readDurationOrNever(raw.duration, join(path, 'duration'))
  }
  if (raw.hang !== undefined) fields.hang = readBoolean(raw.hang, join(path, 'hang'))
  if (raw.outcome !== undefined) {
    const outcome = typeof raw.outcome === 'string' ? raw.outcome.trim().toUpperCase() : ''
    if (!(OUTCOMES as readonly string[]).includes(outcome)) {
      fail(join(path, 'outcome'), `one of ${OUTCOMES.join(', ')}`, raw.outcome)
    }
    fields.outcome = outcome as Outcome
  }
  if (raw.message !== undefined) fields.message = readString(raw.message, join(path, 'message'))
  if (raw.failingStep !== undefined) {
    const failing = raw.failingStep
    if (typeof failing !== 'string' && typeof failing !== 'number') {
      fail(join(path, 'failingStep'), 'a step name or a step number (1 = the first)', failing)
    }
    fields.failingStep = failing
  }
  if (raw.steps !== undefined) {
    if (!Array.isArray(raw.steps)) fail(join(path, 'steps'), 'a list of steps', raw.steps)
    fields.steps = raw.steps.map((step, index) =>
      readStep(step, `${join(path, 'steps')}[${index}]`)
    )
  }
  if (raw.unknownState !== undefined) {
    fields.unknownState = readUnknownState(raw.unknownState, join(path, 'unknownState'))
  }
  if (raw.parameters !== undefined) {
    if (!Array.isArray(raw.parameters)) {
      fail(join(path, 'parameters'), 'a list of parameter names', raw.parameters)
    }
    fields.parameters = raw.parameters.map((name, index) =>
      readString(name, `${join(path, 'parameters')}[${index}]`)
    )
  }
  return fields
}

const BUILT_IN_WORKFLOW: WorkflowFields = {
  queuedMs: 100,
  durationMs: 1000,
  hang: false,
  outcome: JobState.Completed,
  message: null,
  steps: [],
  unknownState: undefined,
  parameters: undefined
}

function resolveFailingStep(
  failing: string | number | undefined,
  steps: StepSpec[],
  outcome: Outcome,
  path: string
): number | undefined {
  if (outcome === JobState.Completed) {
    if (failing !== undefined) {
      fail(join(path, 'failingStep'), `no failingStep when the outcome is ${outcome}`, failing)
    }
    return undefined
  }
  if (steps.length === 0) {
    if (failing !== undefined) {
      fail(join(path, 'failingStep'), 'no failingStep: the workflow has no steps', failing)
    }
    return undefined
  }
  if (failing === undefined) return steps.length - 1 // the last step fails unless told
  if (typeof failing === 'number') {
    if (!Number.isInteger(failing) || failing < 1 || failing > steps.length) {
      fail(join(path, 'failingStep'), `a step number from 1 to ${steps.length}`, failing)
    }
    return failing - 1
  }
  const index = steps.findIndex(step => step.name === failing)
  if (index < 0) {
    fail(
      join(path, 'failingStep'),
      `the name of one of the steps (${steps.map(s => quote(s.name)).join(', ')})`,
      failing
    )
  }
  return index
}

function resolveWorkflow(
  own: WorkflowFields,
  defaults: WorkflowFields,
  label: string,
  path: string
): WorkflowSpec {
  const merged = { ...BUILT_IN_WORKFLOW, ...defaults, ...own } as Required<WorkflowFields>
  const outcome = merged.outcome
  if (outcome === JobState.Completed && own.message !== undefined) {
    fail(join(path, 'message'), `no message when the outcome is ${outcome}`, own.message)
  }
  const durationMs = merged.durationMs
  const failed = outcome !== JobState.Completed
  return {
    queuedMs: merged.queuedMs,
    durationMs,
    // `duration: never` is a hang by definition; so is an unknown state reported for ever.
    hang: merged.hang || durationMs === Infinity || merged.unknownState?.forMs === Infinity,
    outcome,
    message: failed ? (merged.message ?? `Workflow '${label}' ${outcome.toLowerCase()}`) : null,
    failingStep: resolveFailingStep(own.failingStep, merged.steps, outcome, path),
    steps: merged.steps,
    unknownState: merged.unknownState,
    parameters: merged.parameters
  }
}

// ---------------------------------------------------------------------------------------------
// Faults and downtime
// ---------------------------------------------------------------------------------------------

const FAULT_KEYS = [
  'errorRate',
  'errorCodes',
  'rateLimitRate',
  'retryAfter',
  'dropRate',
  'latency',
  'acceptThenDrop'
] as const

function readLatency(value: unknown, path: string): LatencySpec {
  if (isRecord(value)) {
    checkKeys(value, path, ['min', 'max'])
    const minMs = readDuration(value.min ?? 0, join(path, 'min'))
    const maxMs = readDuration(value.max ?? minMs, join(path, 'max'))
    if (maxMs < minMs) fail(join(path, 'max'), `a duration of at least min (${minMs}ms)`, value.max)
    return { minMs, maxMs }
  }
  const ms = readDuration(value, path)
  return { minMs: ms, maxMs: ms }
}

function readAcceptThenDrop(value: unknown, path: string): AcceptThenDropSpec {
  // `acceptThenDrop: 2` is short for the first two.
  if (typeof value === 'number') return { first: readCount(value, path), rate: 0 }
  const raw = readObject(value, path)
  checkKeys(raw, path, ['first', 'rate'])
  return {
    first: raw.first === undefined ? 0 : readCount(raw.first, join(path, 'first')),
    rate: raw.rate === undefined ? 0 : readRate(raw.rate, join(path, 'rate'))
  }
}

function readFault(value: unknown, path: string, kind: EndpointKind | 'all'): FaultSpec {
  const raw = readObject(value, path)
  checkKeys(raw, path, FAULT_KEYS)
  const fault: FaultSpec = {}
  if (raw.errorRate !== undefined)
    fault.errorRate = readRate(raw.errorRate, join(path, 'errorRate'))
  if (raw.errorCodes !== undefined) {
    const codesPath = join(path, 'errorCodes')
    if (!Array.isArray(raw.errorCodes) || raw.errorCodes.length === 0) {
      fail(codesPath, 'a non-empty list of status codes', raw.errorCodes)
    }
    fault.errorCodes = raw.errorCodes.map((code, index) => {
      if (typeof code !== 'number' || !Number.isInteger(code) || code < 400 || code > 599) {
        fail(`${codesPath}[${index}]`, 'an error status code from 400 to 599', code)
      }
      return code
    })
  }
  if (raw.rateLimitRate !== undefined) {
    fault.rateLimitRate = readRate(raw.rateLimitRate, join(path, 'rateLimitRate'))
  }
  if (raw.retryAfter !== undefined) {
    fault.retryAfterSeconds = readRetryAfterSeconds(raw.retryAfter, join(path, 'retryAfter'))
  }
  if (raw.dropRate !== undefined) fault.dropRate = readRate(raw.dropRate, join(path, 'dropRate'))
  if (raw.latency !== undefined) fault.latency = readLatency(raw.latency, join(path, 'latency'))
  if (raw.acceptThenDrop !== undefined) {
    // Only an execute creates something that can be "accepted" before its answer is lost.
    if (kind !== 'execute') {
      fail(
        join(path, 'acceptThenDrop'),
        'acceptThenDrop only under faults.execute',
        raw.acceptThenDrop
      )
    }
    fault.acceptThenDrop = readAcceptThenDrop(raw.acceptThenDrop, join(path, 'acceptThenDrop'))
  }
  return fault
}

function readFaults(value: unknown, path: string): FaultTable {
  const raw = readObject(value, path)
  const kinds = ['all', ...ENDPOINT_KINDS] as const
  checkKeys(raw, path, kinds)
  const table: FaultTable = {}
  for (const kind of kinds) {
    if (raw[kind] !== undefined) table[kind] = readFault(raw[kind], join(path, kind), kind)
  }
  return table
}

function readDowntimeWindow(value: unknown, path: string): DowntimeWindow {
  const raw = readObject(value, path)
  checkKeys(raw, path, ['start', 'duration', 'mode'])
  if (raw.duration === undefined) fail(join(path, 'duration'), 'a duration', raw.duration)
  let mode: DowntimeWindow['mode'] = 503
  if (raw.mode !== undefined) {
    if (raw.mode !== 503 && raw.mode !== '503' && raw.mode !== 'drop') {
      fail(join(path, 'mode'), '503 or drop', raw.mode)
    }
    mode = raw.mode === 'drop' ? 'drop' : 503
  }
  return {
    startMs: raw.start === undefined ? 0 : readDuration(raw.start, join(path, 'start')),
    durationMs: readDuration(raw.duration, join(path, 'duration')),
    mode
  }
}

function readDowntime(value: unknown, path: string): DowntimeWindow[] {
  // One window may be written without the list around it.
  if (Array.isArray(value)) {
    return value.map((window, index) => readDowntimeWindow(window, `${path}[${index}]`))
  }
  return [readDowntimeWindow(value, path)]
}

// ---------------------------------------------------------------------------------------------
// The scenario
// ---------------------------------------------------------------------------------------------

const SCENARIO_KEYS = [
  'description',
  'environment',
  'apiKey',
  'tenancy',
  'seed',
  'firstJobId',
  'cancelEndpoint',
  'echoAuthorization',
  'defaults',
  'workflows',
  'faults',
  'downtime'
] as const

function readTenancy(value: unknown): string {
  // YAML reads `tenancy: 1` as a number; tenancy ids are numbers in practice.
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return String(value)
  return readString(value, 'tenancy')
}

function readCancelEndpoint(value: unknown): Scenario['cancelAbsentStatus'] {
  if (value === true) return undefined
  if (value === false) return 405
  if ((CANCEL_ABSENT_STATUSES as readonly unknown[]).includes(value)) {
    return value as (typeof CANCEL_ABSENT_STATUSES)[number]
  }
  return fail(
    'cancelEndpoint',
    `true (present), false (absent, answers 405) or the status it answers with when absent (${CANCEL_ABSENT_STATUSES.join(', ')})`,
    value
  )
}

/** Validates a scenario already read from YAML or JSON (or written as an object literal). */
export function parseScenario(value: unknown): Scenario {
  const raw = readObject(value, 'scenario')
  checkKeys(raw, 'scenario', SCENARIO_KEYS)
  if (raw.apiKey === undefined) {
    throw new ScenarioError(
      'apiKey: missing; the simulator needs the API key its clients must send (quote it in YAML)'
    )
  }
  if (raw.workflows === undefined) {
    throw new ScenarioError(
      `workflows: missing; list the workflow labels the simulator knows, or a ${quote(WILDCARD_WORKFLOW)} entry`
    )
  }
  const defaults = raw.defaults === undefined ? {} : readWorkflowFields(raw.defaults, 'defaults')
  if (defaults.failingStep !== undefined) {
    fail('defaults.failingStep', 'failingStep only in a workflow entry', defaults.failingStep)
  }
  const rawWorkflows = readObject(raw.workflows, 'workflows')
  const workflows: Record<string, WorkflowSpec> = {}
  let wildcard: WorkflowSpec | undefined
  for (const [label, entry] of Object.entries(rawWorkflows)) {
    const path = join('workflows', label)
    const spec = resolveWorkflow(readWorkflowFields(entry, path), defaults, label, path)
    if (label === WILDCARD_WORKFLOW) wildcard = spec
    else workflows[label] = spec
  }
  if (Object.keys(rawWorkflows).length === 0) {
    fail('workflows', `at least one workflow label or a ${quote(WILDCARD_WORKFLOW)} entry`, {})
  }
  let seed = 1
  if (raw.seed !== undefined) {
    if (typeof raw.seed !== 'number' || !Number.isInteger(raw.seed)) {
      fail('seed', 'a whole number', raw.seed)
    }
    seed = raw.seed
  }
  return {
    description:
      raw.description === undefined ? undefined : readString(raw.description, 'description'),
    environment:
      raw.environment === undefined ? 'default' : readString(raw.environment, 'environment'),
    apiKey: readString(raw.apiKey, 'apiKey'),
    tenancy: raw.tenancy === undefined ? '1' : readTenancy(raw.tenancy),
    seed,
    firstJobId: raw.firstJobId === undefined ? 1001 : readCount(raw.firstJobId, 'firstJobId'),
    cancelAbsentStatus:
      raw.cancelEndpoint === undefined ? undefined : readCancelEndpoint(raw.cancelEndpoint),
    echoAuthorization:
      raw.echoAuthorization === undefined
        ? false
        : readBoolean(raw.echoAuthorization, 'echoAuthorization'),
    workflows,
    wildcard,
    faults: raw.faults === undefined ? {} : readFaults(raw.faults, 'faults'),
    downtime: raw.downtime === undefined ? [] : readDowntime(raw.downtime, 'downtime')
  }
}

/** Reads scenario text (YAML, or JSON, which is YAML too); `source` names it in errors. */
export function parseScenarioText(text: string, source = 'scenario'): Scenario {
  let value: unknown
  try {
    value = parseYaml(text)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ScenarioError(`${source}: not valid YAML or JSON: ${reason}`)
  }
  try {
    return parseScenario(value)
  } catch (error) {
    if (error instanceof ScenarioError) throw new ScenarioError(`${source}: ${error.message}`)
    throw error
  }
}

/** The workflow a label names in this scenario: its own entry, else the wildcard, else none. */
export function workflowFor(scenario: Scenario, label: string): WorkflowSpec | undefined {
  if (Object.hasOwn(scenario.workflows, label)) return scenario.workflows[label]
  return scenario.wildcard
}
