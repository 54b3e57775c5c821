/**
 * The plan file (input `plan`): phases of workflows, each with its own limits, execute settings
 * and step checks, as YAML or JSON. Its shape is plan.schema.json — the same file editors use —
 * checked with ajv, so the action and the editor can never disagree about what a plan may say;
 * what a schema cannot say (durations that parse, min < max once resolved, a label once per
 * phase) is checked here. Every error names the input, the file and the place in it, quotes the
 * bad value and says what is expected.
 *
 * Settings resolve workflow > phase > plan > action inputs. `parameters` maps merge key by key
 * with the same precedence. `steps` checks resolve bound by bound with the same precedence: a
 * bound is one step, one kind (min, max, min-ratio, max-ratio) and one counter or ratio, and the
 * most specific level that sets it wins — a number replaces the wider levels' bound, null removes
 * it (as null removes a duration limit) — while bounds on other steps and counters still apply.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { parseDocument } from 'yaml'
import planSchema from '../plan.schema.json' with { type: 'json' }
import type { VersionChoice } from './contract.js'
import { DURATION_FORMS, formatDuration, parseDurationMs } from './duration.js'
import { InputError, quote } from './errors.js'
import type { ReadFile } from './files.js'
import type { ExecuteOptions, Plan, PlannedWorkflow, StepCheck } from './plan.js'

/** The settings that come from the action's inputs: what a plan file's settings fall back to. */
export interface PlanDefaults {
  maxDurationMs: number | undefined
  minDurationMs: number | undefined
  execute: ExecuteOptions
}

export { readFileIfExists, type ReadFile } from './files.js'

export const PLAN_INPUT = 'plan'

const INLINE_NAME = 'inline'

/**
 * True when the input holds the plan itself rather than a path: YAML over several lines, JSON,
 * a one-line YAML list or a one-line `phases:` map. A path is a single line that starts with
 * none of these.
 */
export function isInlinePlan(value: string): boolean {
  const text = value.trim()
  return /[\r\n]/.test(text) || /^(?:[{[]|phases\s*:|-\s)/.test(text)
}

/** The plan the input `plan` gives: inline, or read through `readFile` from the path it names. */
export function loadPlan(
  inputValue: string,
  readFile: ReadFile,
  base: PlanDefaults,
  input: string = PLAN_INPUT
): Plan {
  const value = inputValue.trim()
  if (value === '') throw new InputError(`Input '${input}' is empty: expected a plan or its path.`)
  if (isInlinePlan(value)) return readPlanFile(value, base, INLINE_NAME, input)
  let text: string | undefined
  try {
    text = readFile(value)
  } catch (error) {
    throw new InputError(
      `Input '${input}' is ${quote(value)}: the file could not be read (${(error as Error).message}).`
    )
  }
  if (text === undefined) {
    const looksLikeAPlan = !/\.(?:ya?ml|json)$/i.test(value)
    throw new InputError(
      `Input '${input}' is ${quote(value)}: no such file. Give the path of a .yml, .yaml or .json ` +
        'plan relative to the working directory (on a runner, the workspace: check the repository ' +
        'out first)' +
        (looksLikeAPlan
          ? ', or the plan itself: YAML over several lines, or JSON starting with [ or {.'
          : '.')
    )
  }
  return readPlanFile(text, base, value, input)
}

/** Parses, validates and resolves a plan file's text (YAML or JSON). */
export function readPlanFile(
  text: string,
  base: PlanDefaults,
  source: string,
  input: string = PLAN_INPUT
): Plan {
  const where = `Input '${input}' (${source})`
  const doc = parseDocument(text)
  const syntaxError = doc.errors[0]
  if (syntaxError !== undefined) {
    // yaml's message already says "at line L, column C"; the excerpt after it is left out.
    const first = syntaxError.message.split('\n')[0]?.replace(/:$/, '')
    throw new InputError(`${where} is not valid YAML or JSON: ${first}.`)
  }
  let data: unknown
  try {
    data = doc.toJS() // its alias limit stops a "billion laughs" file from exhausting memory
  } catch (error) {
    throw new InputError(`${where} could not be read: ${(error as Error).message}.`)
  }
  if (data === null || data === undefined) {
    throw new InputError(`${where} is empty: expected a list of phases or a map with 'phases'.`)
  }
  const validate = planValidator()
  if (!validate(data)) throw new InputError(explainSchemaError(validate.errors ?? [], data, where))
  return resolvePlan(data as RawPlan, base, where)
}

// ---------------------------------------------------------------------------------------------
// The schema
// ---------------------------------------------------------------------------------------------

type Schema = Record<string, unknown> & { definitions: Record<string, Schema> }

let compiled: { validate: ValidateFunction; schema: Schema } | undefined

/**
 * Compiled on first use, so importing this module costs nothing but the JSON. The schema is an
 * import with a JSON attribute, not a file read: ncc bundles it into dist/ and ts-jest resolves
 * it (a createRequire('../plan.schema.json') works in tests but is left out of the bundle).
 */
function planValidator(): ValidateFunction {
  if (compiled === undefined) {
    const schema = planSchema as unknown as Schema
    // verbose: the errors carry their schema object, which names the rule that failed.
    const ajv = new Ajv({ allErrors: false, verbose: true, allowUnionTypes: true, strict: true })
    compiled = { validate: ajv.compile(schema), schema }
  }
  return compiled.validate
}

/** What a value failing a rule of the schema should have been, by the schema object. */
function expectations(schema: Schema): Map<unknown, Partial<Record<string, string>>> {
  const d = schema.definitions
  const prop = (def: string, key: string): unknown =>
    (d[def]?.properties as Record<string, unknown> | undefined)?.[key]
  const extra = (def: string): unknown => d[def]?.additionalProperties
  const check = 'a step check such as {step: Validate addresses, max: {failedRowCount: 0}}'
  const entries: [unknown, Partial<Record<string, string>>][] = [
    [d.plan, { type: "a list of phases, or a map with 'phases' and defaults for every workflow" }],
    [d.phaseList, { type: 'a list of phases', minItems: 'at least one phase' }],
    [d.phaseMap, { type: "a phase: a list of workflows, or a map with 'workflows'" }],
    [d.workflowList, { type: 'a list of workflows' }],
    [
      d.workflowMap,
      { type: "a workflow: its external label, or a map with 'workflow' and its settings" }
    ],
    [d.label, { type: "the workflow's external label", pattern: "the workflow's external label" }],
    [
      d.duration,
      {
        type: `${DURATION_FORMS} (or null for no limit)`,
        pattern: `${DURATION_FORMS} (or null for no limit)`,
        exclusiveMinimum: 'a duration longer than 0'
      }
    ],
    [d.parameters, { type: 'a map of parameter names to values, such as {region: EMEA}' }],
    [extra('parameters'), { type: 'a string, a number or true/false' }],
    [d.version, { enum: 'published (the last published version) or draft (the latest draft)' }],
    [d.refreshSources, { type: 'true or false' }],
    [
      d.space,
      {
        type: 'the external label of a Space, without spaces, slashes, ? or #',
        pattern: 'the external label of a Space, without spaces, slashes, ? or #'
      }
    ],
    [d.steps, { type: `a list of step checks, each ${check}` }],
    [d.stepCheck, { type: check }],
    [
      prop('stepCheck', 'step'),
      {
        type: 'the name of the step as Data Studio reports it',
        pattern: 'the name of the step as Data Studio reports it'
      }
    ],
    [
      d.counterBounds,
      {
        type: 'a map of counter names to bounds, such as {failedRowCount: 0}',
        minProperties: 'at least one counter and its bound, such as {failedRowCount: 0}'
      }
    ],
    [extra('counterBounds'), { type: `a number (${NULL_BOUND})` }],
    [
      d.ratioBounds,
      {
        type: 'a map of numerator/denominator counter names to a fraction, such as {failedRowCount/rowCount: 0.005}',
        minProperties:
          'at least one ratio and its bound, such as {failedRowCount/rowCount: 0.005} (0.005 = 0.5%)'
      }
    ],
    [
      extra('ratioBounds'),
      {
        type: `a fraction such as 0.005 (= 0.5%) (${NULL_BOUND})`,
        minimum: 'a fraction of 0 or more, such as 0.005 (= 0.5%)'
      }
    ],
    [prop('plan', '$schema'), { type: 'the address of the schema, a string' }],
    [prop('phaseMap', 'name'), { type: 'a name, a string' }]
  ]
  return new Map(entries)
}

/** What null means as a step-check bound, for messages. */
const NULL_BOUND = 'or null to remove the bound a wider level sets'

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'null',
  object: 'a map',
  array: 'a list'
}

/** One ajv error, turned into a sentence a person can act on. */
function explainSchemaError(errors: ErrorObject[], data: unknown, where: string): string {
  // With if/then/else in the schema, the innermost failure comes first and the rest are the
  // "must match then/else" echoes of it on the way out; a propertyNames failure is reported
  // once by the rule inside it and once by propertyNames itself, which names the key.
  const error =
    errors.find(e => e.keyword === 'propertyNames') ?? errors.find(e => e.keyword !== 'if')
  if (error === undefined) return `${where} does not match the plan schema.`
  const segments = pointerSegments(error.instancePath)
  const at = `${where}${locate(segments, data)}`
  const rules = compiled === undefined ? undefined : expectations(compiled.schema)
  const expected = rules?.get(error.parentSchema)?.[error.keyword]
  const value = valueAt(data, segments)
  const params = error.params as Record<string, unknown>
  const title = (error.parentSchema as { title?: string } | undefined)?.title ?? 'map'
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty)
      const allowed = Object.keys(
        (error.parentSchema as { properties?: object } | undefined)?.properties ?? {}
      ).filter(k => k !== '$schema')
      const nearest = suggest(key, allowed)
      return (
        `${at} has an unknown key ${quote(key)}` +
        (nearest === undefined ? '.' : `: did you mean '${nearest}'?`) +
        ` A ${title} takes: ${allowed.join(', ')}.`
      )
    }
    case 'required': {
      const missing = String(params.missingProperty)
      return `${at} has no '${missing}': a ${title} given as a map needs one.`
    }
    case 'minItems':
      return error.parentSchema === compiled?.schema.definitions.workflowList
        ? `${at} is an empty phase: every phase needs at least one workflow.`
        : `${at} is empty: expected at least one phase.`
    case 'minProperties':
      if (error.parentSchema === compiled?.schema.definitions.stepCheck) {
        // ajv tests minProperties before required: {max: {…}} lacks its step, not a bound.
        if (typeof value === 'object' && value !== null && !('step' in value)) {
          return `${at} has no 'step': a ${title} given as a map needs one.`
        }
        return `${at} checks nothing: a step check needs at least one of min, max, min-ratio or max-ratio.`
      }
      return `${at} is empty: expected ${expected ?? 'at least one entry'}.`
    case 'propertyNames': {
      const key = String(params.propertyName)
      const ratio = error.parentSchema === compiled?.schema.definitions.ratioBounds
      return ratio
        ? `${at} has the key ${quote(key)}, which is not a ratio: expected two counter names ` +
            'separated by /, such as failedRowCount/rowCount.'
        : `${at} has the key ${quote(key)}: expected a counter name without spaces around it, such as rowCount.`
    }
    case 'type': {
      const fallback = ([] as unknown[])
        .concat(params.type)
        .map(t => TYPE_WORDS[String(t)] ?? String(t))
        .join(' or ')
      return `${at} is ${show(value)}: expected ${expected ?? fallback}.`
    }
    default:
      if (typeof value === 'string' && value.trim() === '') {
        return `${at} is empty: expected ${expected ?? error.message ?? 'something else'}.`
      }
      return `${at} is ${show(value)}: expected ${expected ?? error.message ?? 'something else'}.`
  }
}

/** `/phases/1/workflows/0` → ['phases', '1', 'workflows', '0'] (JSON pointer, RFC 6901). */
function pointerSegments(pointer: string): string[] {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function valueAt(data: unknown, segments: string[]): unknown {
  let node = data
  for (const segment of segments) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[segment]
  }
  return node
}

/** ` at phases[1].workflows[0].max-duration (phase 2, workflow 'wf3')`, or '' at the top. */
function locate(segments: string[], data: unknown): string {
  if (segments.length === 0) return ''
  const path = render(segments)
  // Which phase and workflow the path is inside, counted as people count them.
  let rest = segments
  if (!Array.isArray(data)) {
    if (rest[0] !== 'phases') return ` at ${path}`
    rest = rest.slice(1)
  }
  const phaseIndex = rest[0]
  if (phaseIndex === undefined) return ` at ${path}`
  const base = segments.slice(0, segments.length - rest.length + 1)
  const phase = valueAt(data, base)
  let workflowRest = rest.slice(1)
  let workflowsPath = base
  if (!Array.isArray(phase)) {
    if (workflowRest[0] !== 'workflows') return ` at ${path} (phase ${Number(phaseIndex) + 1})`
    workflowsPath = [...base, 'workflows']
    workflowRest = workflowRest.slice(1)
  }
  const workflowIndex = workflowRest[0]
  if (workflowIndex === undefined) return ` at ${path} (phase ${Number(phaseIndex) + 1})`
  const workflow = valueAt(data, [...workflowsPath, workflowIndex])
  const label =
    typeof workflow === 'string'
      ? workflow
      : typeof (workflow as { workflow?: unknown } | undefined)?.workflow === 'string'
        ? (workflow as { workflow: string }).workflow
        : undefined
  const name =
    label === undefined || label.trim() === ''
      ? `workflow ${Number(workflowIndex) + 1}`
      : `workflow ${quote(label)}`
  return ` at ${path} (phase ${Number(phaseIndex) + 1}, ${name})`
}

function show(value: unknown): string {
  if (typeof value === 'string') return quote(value)
  if (typeof value === 'number') return String(value)
  return quote(JSON.stringify(value) ?? String(value))
}

/** The allowed key a mistyped one most likely meant: same words, other spelling, or a typo. */
export function suggest(key: string, allowed: string[]): string | undefined {
  const normal = (s: string): string =>
    s
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .replace(/[\s_]+/g, '-')
      .toLowerCase()
  const same = allowed.find(a => normal(a) === normal(key))
  if (same !== undefined) return same
  // 'maximum' for 'max', 'param' for 'parameters': one is the start of the other.
  const prefixed = allowed
    .filter(a => Math.min(a.length, key.length) >= 3)
    .filter(a => normal(key).startsWith(a) || a.startsWith(normal(key)))
    .sort((x, y) => editDistance(normal(key), x) - editDistance(normal(key), y))[0]
  if (prefixed !== undefined) return prefixed
  let best: { key: string; distance: number } | undefined
  for (const candidate of allowed) {
    const distance = editDistance(normal(key), candidate)
    if (best === undefined || distance < best.distance) best = { key: candidate, distance }
  }
  // A third of the word may be wrong, and at least two letters: 'max-duraton', 'verison'.
  const limit = Math.max(2, Math.floor(key.length / 3))
  return best !== undefined && best.distance <= limit ? best.key : undefined
}

/** Levenshtein distance with adjacent swaps counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0))
  )
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Infinity
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1)
      }
      ;(rows[i] as number[])[j] = best
    }
  }
  return at(a.length, b.length)
}

// ---------------------------------------------------------------------------------------------
// Resolving a valid document into the plan
// ---------------------------------------------------------------------------------------------

/** The settings any level may carry, as the file spells them (already schema-valid). */
interface RawSettings {
  'max-duration'?: string | number | null
  'min-duration'?: string | number | null
  parameters?: Record<string, string | number | boolean>
  version?: 'published' | 'draft'
  'refresh-sources'?: boolean
  space?: string
  steps?: RawCheck[]
}

/** Counter (or ratio) → bound; null removes the bound a wider level sets on it. */
type RawBounds = Record<string, number | null>

interface RawCheck {
  step: string
  min?: RawBounds
  max?: RawBounds
  'min-ratio'?: RawBounds
  'max-ratio'?: RawBounds
}

type RawWorkflow = string | (RawSettings & { workflow: string })
type RawPhase = RawWorkflow[] | (RawSettings & { name?: string; workflows: RawWorkflow[] })
type RawPlan = RawPhase[] | (RawSettings & { phases: RawPhase[] })

/** ` at <path> (phase N, workflow 'x')` after the input and source, for a place in the file. */
type Locator = (path: string[]) => string

/** One level's settings, read: undefined = not set here; null = a limit removed here. */
interface Level {
  /** Where the settings came from, for messages: `the plan`, `phase 2`, `workflow 'wf3'`. */
  from: string
  maxDurationMs?: number | null
  minDurationMs?: number | null
  parameters?: Record<string, string | number | boolean>
  version?: VersionChoice
  refreshSources?: boolean
  space?: string
  checks: LevelCheck[]
}

/** A step check as one level states it: a StepCheck whose bounds may be null (removed here). */
interface LevelCheck {
  step: string
  min?: RawBounds
  max?: RawBounds
  minRatio?: RawBounds
  maxRatio?: RawBounds
}

/** The bound maps of a StepCheck, with the names the file and the messages use for them. */
const BOUND_FIELDS = [
  ['min', 'min'],
  ['max', 'max'],
  ['minRatio', 'min-ratio'],
  ['maxRatio', 'max-ratio']
] as const

const VERSIONS: Record<'published' | 'draft', VersionChoice> = {
  published: 'PublishedOnly',
  draft: 'PreferDraft'
}

function resolvePlan(raw: RawPlan, base: PlanDefaults, where: string): Plan {
  const at: Locator = path => `${where}${locate(path, raw)}`
  const isList = Array.isArray(raw)
  const phases = isList ? raw : raw.phases
  const planPath = isList ? [] : ['phases']
  const planLevel = isList ? { from: 'the plan', checks: [] } : readLevel(raw, 'the plan', [], at)
  return phases.map((rawPhase, phaseIndex) => {
    const phase = phaseIndex + 1
    const phasePath = [...planPath, String(phaseIndex)]
    const workflows = Array.isArray(rawPhase) ? rawPhase : rawPhase.workflows
    const workflowsPath = Array.isArray(rawPhase) ? phasePath : [...phasePath, 'workflows']
    const phaseLevel = Array.isArray(rawPhase)
      ? { from: `phase ${phase}`, checks: [] }
      : readLevel(rawPhase, `phase ${phase}`, phasePath, at)
    const seen = new Map<string, number>()
    return workflows.map((rawWorkflow, workflowIndex): PlannedWorkflow => {
      const path = [...workflowsPath, String(workflowIndex)]
      const label = (typeof rawWorkflow === 'string' ? rawWorkflow : rawWorkflow.workflow).trim()
      const earlier = seen.get(label)
      if (earlier !== undefined) {
        throw new InputError(
          `${where}: phase ${phase} lists ${quote(label)} twice (${render([...workflowsPath, String(earlier)])} ` +
            `and ${render(path)}); a workflow runs once per phase.`
        )
      }
      seen.set(label, workflowIndex)
      const own =
        typeof rawWorkflow === 'string'
          ? { from: `workflow ${quote(label)}`, checks: [] }
          : readLevel(rawWorkflow, `workflow ${quote(label)}`, path, at)
      return resolveWorkflow(label, phase, [planLevel, phaseLevel, own], base, where)
    })
  })
}

function resolveWorkflow(
  workflow: string,
  phase: number,
  levels: Level[],
  base: PlanDefaults,
  where: string
): PlannedWorkflow {
  // The most specific level that sets a value wins; null counts as set (to "no limit").
  const pick = <K extends keyof Level>(key: K): { value: Level[K]; from: string } | undefined => {
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i] as Level
      if (level[key] !== undefined) return { value: level[key], from: level.from }
    }
    return undefined
  }
  const max = pick('maxDurationMs') ?? { value: base.maxDurationMs, from: 'the action inputs' }
  const min = pick('minDurationMs') ?? { value: base.minDurationMs, from: 'the action inputs' }
  const maxDurationMs = max.value ?? undefined
  const minDurationMs = min.value ?? undefined
  if (
    maxDurationMs !== undefined &&
    minDurationMs !== undefined &&
    minDurationMs >= maxDurationMs
  ) {
    throw new InputError(
      `${where}: workflow ${quote(workflow)} in phase ${phase} would run with min-duration ` +
        `${formatDuration(minDurationMs)} (from ${min.from}) and max-duration ` +
        `${formatDuration(maxDurationMs)} (from ${max.from}); min-duration must be shorter, or no run could pass both.`
    )
  }
  let parameters = base.execute.parameters
  for (const level of levels) {
    if (level.parameters !== undefined) parameters = { ...parameters, ...level.parameters }
  }
  return {
    phase,
    workflow,
    maxDurationMs,
    minDurationMs,
    execute: {
      version: pick('version')?.value ?? base.execute.version,
      refreshSources: pick('refreshSources')?.value ?? base.execute.refreshSources,
      parameters,
      space: pick('space')?.value ?? base.execute.space
    },
    checks: resolveChecks(workflow, phase, levels, where)
  }
}

/**
 * A bound's identity across levels: its step, its kind and its counter or ratio, ignoring case
 * as the checks match steps and counters (`Validate Addresses` at the workflow relaxes the
 * phase's `Validate addresses`).
 */
function boundKey(step: string, field: string, counter: string): string {
  return JSON.stringify([step.toLowerCase(), field, counter.toLowerCase()])
}

/**
 * The checks a workflow is judged by. Each bound comes from the most specific level that sets
 * it: a number there replaces the wider levels' bounds on it, null removes them. Bounds no
 * narrower level touches apply as their level wrote them, in their order (the plan's, then the
 * phase's, then the workflow's); a check left with no bound is dropped.
 */
function resolveChecks(
  workflow: string,
  phase: number,
  levels: Level[],
  where: string
): StepCheck[] {
  // Every key a level sets (or removes), with the most specific level that does.
  const setBy = new Map<string, number>()
  levels.forEach((level, index) => {
    for (const check of level.checks) {
      for (const [field] of BOUND_FIELDS) {
        for (const counter of Object.keys(check[field] ?? {})) {
          setBy.set(boundKey(check.step, field, counter), index)
        }
      }
    }
  })
  const checks: StepCheck[] = []
  const kept: { step: string; field: BoundField; counter: string; bound: number; from: string }[] =
    []
  levels.forEach((level, index) => {
    for (const raw of level.checks) {
      const check: StepCheck = { step: raw.step }
      for (const [field] of BOUND_FIELDS) {
        const bounds = Object.entries(raw[field] ?? {}).filter(
          (entry): entry is [string, number] =>
            entry[1] !== null && setBy.get(boundKey(raw.step, field, entry[0])) === index
        )
        if (bounds.length === 0) continue
        check[field] = Object.fromEntries(bounds)
        for (const [counter, bound] of bounds) {
          kept.push({ step: raw.step, field, counter, bound, from: level.from })
        }
      }
      if (BOUND_FIELDS.some(([field]) => check[field] !== undefined)) checks.push(check)
    }
  })
  // A lower bound from one level above an upper one from another can never pass: say so now,
  // as for the min and max of one check, not after an hour's run.
  for (const low of kept) {
    const upperField = UPPER_OF[low.field]
    const high = kept.find(
      h =>
        h.field === upperField &&
        h.bound < low.bound &&
        boundKey(h.step, h.field, h.counter) === boundKey(low.step, upperField, low.counter)
    )
    if (high !== undefined) {
      throw new InputError(
        `${where}: workflow ${quote(workflow)} in phase ${phase} would check step ` +
          `${quote(low.step)} with ${FIELD_NAMES[low.field]} for ${quote(low.counter)} ` +
          `${low.bound} (from ${low.from}) above ${FIELD_NAMES[high.field]} ${high.bound} ` +
          `(from ${high.from}); no run could pass both.`
      )
    }
  }
  return checks
}

type BoundField = (typeof BOUND_FIELDS)[number][0]

const FIELD_NAMES = Object.fromEntries(BOUND_FIELDS) as Record<BoundField, string>

/** The upper bound each lower bound must not exceed (an upper bound is its own: no pair). */
const UPPER_OF: Record<BoundField, BoundField | undefined> = {
  min: 'max',
  max: undefined,
  minRatio: 'maxRatio',
  maxRatio: undefined
}

function readLevel(raw: RawSettings, from: string, path: string[], at: Locator): Level {
  const level: Level = { from, checks: [] }
  const max = readDuration(raw['max-duration'], [...path, 'max-duration'], at)
  const min = readDuration(raw['min-duration'], [...path, 'min-duration'], at)
  if (max !== undefined) level.maxDurationMs = max
  if (min !== undefined) level.minDurationMs = min
  if (raw.parameters !== undefined) level.parameters = raw.parameters
  if (raw.version !== undefined) level.version = VERSIONS[raw.version]
  if (raw['refresh-sources'] !== undefined) level.refreshSources = raw['refresh-sources']
  if (raw.space !== undefined) level.space = raw.space
  level.checks = (raw.steps ?? []).map((check, index) =>
    readCheck(check, [...path, 'steps', String(index)], at)
  )
  return level
}

function readDuration(
  value: string | number | null | undefined,
  path: string[],
  at: Locator
): number | null | undefined {
  if (value === undefined || value === null) return value
  const ms = typeof value === 'number' ? Math.round(value * 1000) : parseDurationMs(value)
  if (ms === undefined || ms <= 0) {
    throw new InputError(
      `${at(path)} is ${show(value)}: expected ${DURATION_FORMS} (or null for no limit).`
    )
  }
  return ms
}

function readCheck(raw: RawCheck, path: string[], at: Locator): LevelCheck {
  const check: LevelCheck = { step: raw.step.trim() }
  if (raw.min !== undefined) check.min = trimKeys(raw.min)
  if (raw.max !== undefined) check.max = trimKeys(raw.max)
  if (raw['min-ratio'] !== undefined) check.minRatio = ratioKeys(raw['min-ratio'])
  if (raw['max-ratio'] !== undefined) check.maxRatio = ratioKeys(raw['max-ratio'])
  // A lower bound above the upper one can never pass: say so now, not after an hour's run.
  for (const [low, high, lowName, highName] of [
    [check.min, check.max, 'min', 'max'],
    [check.minRatio, check.maxRatio, 'min-ratio', 'max-ratio']
  ] as const) {
    for (const [counter, bound] of Object.entries(low ?? {})) {
      const upper = high?.[counter]
      if (bound !== null && upper !== undefined && upper !== null && bound > upper) {
        throw new InputError(
          `${at(path)}: ${lowName} for ${quote(counter)} (${bound}) is above ${highName} (${upper}); ` +
            'no run could pass both.'
        )
      }
    }
  }
  return check
}

function trimKeys(bounds: RawBounds): RawBounds {
  return Object.fromEntries(Object.entries(bounds).map(([k, v]) => [k.trim(), v]))
}

/** ` failedRowCount / rowCount ` → `failedRowCount/rowCount`, the form StepCheck keys take. */
function ratioKeys(bounds: RawBounds): RawBounds {
  return Object.fromEntries(
    Object.entries(bounds).map(([k, v]) => [
      k
        .split('/')
        .map(part => part.trim())
        .join('/'),
      v
    ])
  )
}

/** A path as locate() writes it, without the phase/workflow hint. */
function render(segments: string[]): string {
  return segments
    .map((s, index) =>
      /^\d+$/.test(s)
        ? `[${s}]`
        : /^[A-Za-z_$][\w$-]*$/.test(s)
          ? index === 0
            ? s
            : `.${s}`
          : `[${JSON.stringify(s)}]`
    )
    .join('')
}
