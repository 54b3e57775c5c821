/**
 * Judges a plan's step checks against the steps a COMPLETED job reported: Data Studio's guidance
 * says a completed job still has to pass the caller's checks on its step results. Pure: steps in,
 * one result per bound out, each with a line a person can read in the log and the summary.
 *
 * Names are matched exactly first, then ignoring case (Data Studio's step names are typed by
 * people, and "Validate Addresses" in a plan almost always means "Validate addresses"); two steps
 * or counters that differ only in case make an ignoring-case match ambiguous, which fails the
 * check rather than guess. A check naming a step or counter the job does not have fails, saying
 * what the job did have, because a renamed step must not silently pass its checks.
 */
import type { Step } from './contract.js'
import type { StepCheck } from './plan.js'

export type BoundKind = 'min' | 'max' | 'min-ratio' | 'max-ratio'

export interface CheckResult {
  /** The check this result belongs to (a check with several bounds gives several results). */
  check: StepCheck
  /** The step as the check names it. */
  step: string
  /** The step Data Studio returned that the check was matched to; undefined when none was. */
  matchedStep: string | undefined
  /** Which bound; undefined when the step itself could not be found. */
  kind: BoundKind | undefined
  /** The counter (`rowCount`) or the ratio (`failedRowCount/rowCount`) the bound is on. */
  counter: string | undefined
  /** The counter's value or the ratio; undefined when it could not be had. */
  actual: number | undefined
  bound: number | undefined
  passed: boolean
  /** One line: `step 'Validate addresses': failedRowCount 312 > max 0`. */
  description: string
}

export interface StepCheckVerdict {
  passed: boolean
  results: CheckResult[]
}

export function judgeStepChecks(checks: StepCheck[], steps: Step[]): StepCheckVerdict {
  const results = checks.flatMap(check => judgeCheck(check, steps))
  return { passed: results.every(r => r.passed), results }
}

function judgeCheck(check: StepCheck, steps: Step[]): CheckResult[] {
  const found = findByName(
    steps.map(s => s.name),
    check.step
  )
  const step = found.index === undefined ? undefined : steps[found.index]
  if (step === undefined) {
    const returned =
      steps.length === 0
        ? 'it returned no steps'
        : `it returned: ${unique(steps.map(s => s.name)).join(', ')}`
    const description = found.ambiguous
      ? `step '${check.step}' matches several steps when case is ignored (${found.ambiguous.join(', ')}); name one exactly`
      : `Data Studio returned no step '${check.step}' (${returned})`
    return [
      {
        check,
        step: check.step,
        matchedStep: undefined,
        kind: undefined,
        counter: undefined,
        actual: undefined,
        bound: undefined,
        passed: false,
        description
      }
    ]
  }
  const results: CheckResult[] = []
  const bounds: [BoundKind, Record<string, number> | undefined][] = [
    ['min', check.min],
    ['max', check.max],
    ['min-ratio', check.minRatio],
    ['max-ratio', check.maxRatio]
  ]
  for (const [kind, map] of bounds) {
    for (const [counter, bound] of Object.entries(map ?? {})) {
      results.push(judgeBound(check, step, kind, counter, bound))
    }
  }
  return results
}

function judgeBound(
  check: StepCheck,
  step: Step,
  kind: BoundKind,
  counter: string,
  bound: number
): CheckResult {
  const base = { check, step: check.step, matchedStep: step.name, kind, counter, bound }
  const subject = `step '${step.name}'`
  const fail = (description: string): CheckResult => ({
    ...base,
    actual: undefined,
    passed: false,
    description: `${subject}: ${description}`
  })
  const isRatio = kind === 'min-ratio' || kind === 'max-ratio'
  const names = isRatio ? splitRatio(counter) : [counter]
  const values: number[] = []
  for (const name of names) {
    const value = counterValue(step, name)
    if (typeof value === 'string') return fail(value)
    values.push(value)
  }
  const isMin = kind === 'min' || kind === 'min-ratio'
  if (!isRatio) {
    const actual = values[0] as number
    const passed = isMin ? actual >= bound : actual <= bound
    const relation = passed ? (isMin ? '≥' : '≤') : isMin ? '<' : '>'
    return {
      ...base,
      actual,
      passed,
      description: `${subject}: ${counter} ${count(actual)} ${relation} ${kind} ${count(bound)}`
    }
  }
  const [numerator, denominator] = values as [number, number]
  const [numeratorName, denominatorName] = names as [string, string]
  if (denominator === 0 && numerator !== 0) {
    return fail(
      `${counter} cannot be computed: ${denominatorName} is 0 and ${numeratorName} is ${count(numerator)}`
    )
  }
  // 0 of 0 is no rejected row at all: a ratio of 0, not a division error.
  const actual = denominator === 0 ? 0 : numerator / denominator
  const passed = isMin ? actual >= bound : actual <= bound
  const relation = passed ? (isMin ? '≥' : '≤') : isMin ? '<' : '>'
  const [shownActual, shownBound] = percentages(actual, bound)
  return {
    ...base,
    actual,
    passed,
    description:
      `${subject}: ${counter} ${shownActual} (${count(numerator)} of ${count(denominator)}) ` +
      `${relation} ${kind} ${shownBound}`
  }
}

/** The counter's value, or why there is none (a sentence for the description). */
function counterValue(step: Step, name: string): number | string {
  const counters = Object.keys(step.counters)
  const found = findByName(counters, name)
  if (found.ambiguous) {
    return `counter '${name}' matches several counters when case is ignored (${found.ambiguous.join(', ')}); name one exactly`
  }
  const key = found.index === undefined ? undefined : counters[found.index]
  if (key === undefined) {
    const has = counters.length === 0 ? 'it has no counters' : `it has: ${counters.join(', ')}`
    return `Data Studio reported no counter '${name}' for this step (${has})`
  }
  return step.counters[key] as number
}

/** Exact match first, then ignoring case; several ignoring-case matches are ambiguous. */
function findByName(
  names: string[],
  wanted: string
): { index: number | undefined; ambiguous?: string[] } {
  const exact = names.indexOf(wanted)
  if (exact >= 0) return { index: exact }
  const lower = wanted.toLowerCase()
  const matches = names.flatMap((name, index) => (name.toLowerCase() === lower ? [index] : []))
  const distinct = unique(matches.map(i => names[i] as string))
  if (distinct.length > 1) return { index: undefined, ambiguous: distinct }
  return { index: matches[0] }
}

function splitRatio(key: string): [string, string] {
  const slash = key.indexOf('/')
  return [key.slice(0, slash).trim(), key.slice(slash + 1).trim()]
}

function unique(names: string[]): string[] {
  return [...new Set(names)]
}

/** Counts as the summary shows them: `120,000`; fractions keep up to 4 decimals. */
function count(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 4 })
}

/**
 * A ratio and its bound as percentages, each with the fewest digits that show it — but never
 * so few that a failing ratio reads the same as its bound (`0.5% > max-ratio 0.5%`).
 */
function percentages(actual: number, bound: number): [string, string] {
  for (let digits = 2; digits <= 8; digits++) {
    const a = percent(actual, digits)
    const b = percent(bound, digits)
    if (a !== b || actual === bound) return [a, b]
  }
  return [percent(actual, 8), percent(bound, 8)]
}

/** 0.0026 → `0.26%`, 0.005 → `0.5%`, 1/3 → `33.33%`, 0.0000123 → `0.0012%`. */
function percent(ratio: number, significant: number): string {
  const value = ratio * 100
  if (value === 0) return '0%'
  // From 1% up, `significant` decimals (two at first); below 1%, that many significant digits.
  const magnitude = Math.floor(Math.log10(Math.abs(value)))
  const decimals = magnitude >= 0 ? significant : significant - 1 - magnitude
  return `${trimZeros(value.toFixed(Math.min(decimals, 20)))}%`
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text
}
