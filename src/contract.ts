/**
 * The Data Studio REST API contract (see docs/data-studio-api.md in the team's shared docs).
 *
 * Every endpoint path, header, field name and state value the project uses lives here, on both
 * sides of the wire: the action's client reads answers with the parsers below, and the simulator
 * builds its answers from the same types and routes. Much of the contract is the project's reading
 * of Data Studio's documentation rather than a documented fact; keeping it in one module means a
 * correction after meeting a live server is a change in one place.
 */

/** Job states named by the contract. Data Studio's guidance checks COMPLETED and FAILED. */
export const JobState = {
  Queued: 'QUEUED',
  Running: 'RUNNING',
  Completed: 'COMPLETED',
  Failed: 'FAILED',
  Cancelled: 'CANCELLED',
  Aborted: 'ABORTED'
} as const

/** How the action treats a state: still going, ended well, or ended badly. */
export type StateClass = 'active' | 'succeeded' | 'failed'

/** Values of `versionToExecute` and `dependenciesToUse`. */
export type VersionChoice = 'PublishedOnly' | 'PreferDraft'

/** The body of an execute request, with the documented field names. */
export interface ExecuteRequestBody {
  externalLabel: string
  spaceExternalLabel?: string
  versionToExecute?: VersionChoice
  dependenciesToUse?: VersionChoice
  refreshSources?: boolean
  workflowParameters?: Record<string, unknown>
}

/** A step of a job as it travels on the wire: a name, a state and numeric counters. */
export interface WireStep {
  name: string
  state: string
  [counter: string]: string | number | null | undefined
}

/** A job as it travels on the wire (GET jobs/{id}, the job list, the cancel answer). */
export interface WireJob {
  jobId: string
  workflowExternalLabel: string
  state: string
  submittedAt: string | null
  startedAt: string | null
  finishedAt: string | null
  message: string | null
  steps: WireStep[]
}

/** The job list's envelope. */
export interface WireJobList {
  jobs: WireJob[]
}

/** An error body, when the server says anything. */
export interface WireError {
  message: string
}

/** A step as the action sees it after tolerant parsing. */
export interface Step {
  name: string
  state: string
  counters: Record<string, number>
}

/** A job as the action sees it after tolerant parsing. */
export interface JobStatus {
  jobId: string
  workflow: string | undefined
  /** The state upper-cased, as the server spelled it otherwise. */
  state: string
  stateClass: StateClass
  /** True when the state is none the contract names (it is still treated as active). */
  unknownState: boolean
  submittedAt: Date | undefined
  startedAt: Date | undefined
  finishedAt: Date | undefined
  message: string | undefined
  steps: Step[]
}

/** Raised when an answer does not have the shape the contract describes. */
export class ContractError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ContractError'
  }
}

// ---------------------------------------------------------------------------------------------
// Where to call it
// ---------------------------------------------------------------------------------------------

/** The default port of a local Data Studio install, used in examples only. */
export const DEFAULT_PORT = 7701

/** `{server}/api/{tenancy}/` — the root every path below is relative to. */
export function apiRoot(serverUrl: string, tenancy: string): string {
  return `${serverUrl.replace(/\/+$/, '')}/api/${encodeURIComponent(tenancy)}/`
}

export const paths = {
  execute: (): string => 'workflows/execute',
  job: (jobId: string): string => `jobs/${encodeURIComponent(jobId)}`,
  jobs: (workflow: string): string =>
    `jobs?${LIST_WORKFLOW_PARAMETER}=${encodeURIComponent(workflow)}`,
  cancel: (jobId: string): string => `jobs/${encodeURIComponent(jobId)}/cancel`
} as const

/** The query parameter of the job list that filters by workflow. */
export const LIST_WORKFLOW_PARAMETER = 'workflowExternalLabel'

/** The route a request path names, for the server side (the simulator). */
export type Route =
  | { kind: 'execute'; tenancy: string }
  | { kind: 'job'; tenancy: string; jobId: string }
  | { kind: 'jobs'; tenancy: string; workflow: string | undefined }
  | { kind: 'cancel'; tenancy: string; jobId: string }

/** Matches a method and a request target (path and query) against the contract's routes. */
export function matchRoute(method: string, target: string): Route | undefined {
  const url = new URL(target, 'http://route.invalid')
  let parts: string[]
  try {
    parts = url.pathname
      .split('/')
      .filter(p => p !== '')
      .map(decodeURIComponent)
  } catch {
    return undefined // a malformed escape such as %E0 names no route
  }
  if (parts[0] !== 'api' || parts.length < 3) return undefined
  const tenancy = parts[1] as string
  const rest = parts.slice(2)
  const m = method.toUpperCase()
  if (m === 'POST' && rest.length === 2 && rest[0] === 'workflows' && rest[1] === 'execute') {
    return { kind: 'execute', tenancy }
  }
  if (rest[0] !== 'jobs') return undefined
  if (m === 'GET' && rest.length === 1) {
    return {
      kind: 'jobs',
      tenancy,
      workflow: url.searchParams.get(LIST_WORKFLOW_PARAMETER) ?? undefined
    }
  }
  if (m === 'GET' && rest.length === 2) return { kind: 'job', tenancy, jobId: rest[1] as string }
  if (m === 'POST' && rest.length === 3 && rest[2] === 'cancel') {
    return { kind: 'cancel', tenancy, jobId: rest[1] as string }
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------

/** `Authorization: <environment label> <API key>` — the label, one space, the key, no Bearer. */
export function authorizationHeader(environment: string, apiKey: string): string {
  return `${environment} ${apiKey}`
}

/** Splits an Authorization header into its label and key (server side). */
export function parseAuthorizationHeader(
  header: string | undefined
): { environment: string; apiKey: string } | undefined {
  if (header === undefined) return undefined
  const space = header.indexOf(' ')
  if (space <= 0) return undefined
  return { environment: header.slice(0, space), apiKey: header.slice(space + 1) }
}

export const JSON_HEADERS = {
  'Content-Type': 'application/json',
  Accept: 'application/json'
} as const

// ---------------------------------------------------------------------------------------------
// Reading answers
// ---------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describe(value: unknown): string {
  const text = JSON.stringify(value)
  if (text === undefined) return String(value)
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

function readId(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim()
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return undefined
}

/** The job id of an execute answer: `jobId`, else `executionId`, else `id`; string or number. */
export function parseExecuteResponse(body: unknown): string {
  if (!isRecord(body)) {
    throw new ContractError(`the execute answer is not a JSON object: ${describe(body)}`)
  }
  const id = readId(body.jobId) ?? readId(body.executionId) ?? readId(body.id)
  if (id === undefined) {
    throw new ContractError(
      `the execute answer has no job id (expected "jobId", "executionId" or "id"): ${describe(body)}`
    )
  }
  return id
}

const KNOWN_STATES: Record<string, StateClass> = {
  [JobState.Queued]: 'active',
  [JobState.Running]: 'active',
  [JobState.Completed]: 'succeeded',
  [JobState.Failed]: 'failed',
  [JobState.Cancelled]: 'failed',
  [JobState.Aborted]: 'failed'
}

/** COMPLETED is success; FAILED, CANCELLED, ABORTED end badly; anything else is still going. */
export function classifyState(state: string): { stateClass: StateClass; unknown: boolean } {
  const known = KNOWN_STATES[state.toUpperCase()]
  return known === undefined
    ? { stateClass: 'active', unknown: true }
    : { stateClass: known, unknown: false }
}

function readDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? undefined : date
}

function readText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined
}

function parseSteps(value: unknown): Step[] {
  if (!Array.isArray(value)) return []
  const steps: Step[] = []
  for (const [index, raw] of value.entries()) {
    if (!isRecord(raw)) continue
    const counters: Record<string, number> = {}
    for (const [key, v] of Object.entries(raw)) {
      if (key !== 'name' && key !== 'state' && typeof v === 'number' && Number.isFinite(v)) {
        counters[key] = v
      }
    }
    const state = readText(raw.state) ?? readText(raw.status)
    steps.push({
      name: readText(raw.name) ?? `step ${index + 1}`,
      state: state === undefined ? 'UNKNOWN' : state.toUpperCase(),
      counters
    })
  }
  return steps
}

/** A job status answer, read tolerantly: `state` else `status`, any case; steps optional. */
export function parseJob(body: unknown, expectedJobId?: string): JobStatus {
  if (!isRecord(body)) {
    throw new ContractError(`the job status answer is not a JSON object: ${describe(body)}`)
  }
  const rawState = readText(body.state) ?? readText(body.status)
  if (rawState === undefined) {
    throw new ContractError(
      `the job status answer has no state (expected "state" or "status"): ${describe(body)}`
    )
  }
  const state = rawState.trim().toUpperCase()
  const { stateClass, unknown } = classifyState(state)
  const jobId =
    readId(body.jobId) ?? readId(body.executionId) ?? readId(body.id) ?? expectedJobId ?? ''
  return {
    jobId,
    workflow: readText(body.workflowExternalLabel),
    state,
    stateClass,
    unknownState: unknown,
    submittedAt: readDate(body.submittedAt),
    startedAt: readDate(body.startedAt),
    finishedAt: readDate(body.finishedAt),
    message: readText(body.message),
    steps: parseSteps(body.steps)
  }
}

/** The job list: `{"jobs": [...]}`, newest first; a bare array is accepted too. */
export function parseJobList(body: unknown): JobStatus[] {
  const list = Array.isArray(body) ? body : isRecord(body) ? body.jobs : undefined
  if (!Array.isArray(list)) {
    throw new ContractError(`the job list answer has no "jobs" array: ${describe(body)}`)
  }
  return list.map(job => parseJob(job))
}

/** The `message` of an error body, if the server said one. */
export function errorMessageOf(body: unknown): string | undefined {
  if (isRecord(body)) return readText(body.message) ?? readText(body.error)
  return undefined
}

/** Builds the execute body from the run's settings. */
export function executeRequestBody(options: {
  workflow: string
  space?: string | undefined
  version: VersionChoice
  refreshSources: boolean
  parameters?: Record<string, unknown> | undefined
}): ExecuteRequestBody {
  const body: ExecuteRequestBody = {
    externalLabel: options.workflow,
    versionToExecute: options.version,
    dependenciesToUse: options.version,
    refreshSources: options.refreshSources
  }
  if (options.space !== undefined) body.spaceExternalLabel = options.space
  if (options.parameters !== undefined && Object.keys(options.parameters).length > 0) {
    body.workflowParameters = options.parameters
  }
  return body
}

/** Status codes that mean "the server has no cancel endpoint". */
export const CANCEL_UNSUPPORTED_STATUSES: readonly number[] = [404, 405, 501]
