/**
 * The run as a JUnit XML report (input `junit-report`), so that test-report actions and CI
 * systems that read JUnit can show it: one <testsuite> per phase, one <testcase> per workflow,
 * a <failure> for every outcome that fails the run and a <skipped> for a workflow never
 * started. It follows the Jenkins JUnit form (a <testsuites> root), the form those tools read;
 * the tests validate it against a hand-written schema of that form (__tests__/fixtures/junit.xsd).
 *
 * Built from strings with two escaping helpers rather than an XML library: the document is
 * small and fixed in shape, and the helpers are all the correctness there is to get right.
 */
import { formatDuration } from './duration.js'
import type { Outcome } from './outcome.js'
import { formatCounters } from './outcome.js'
import type { PhaseResult, RunResult, WorkflowResult } from './runner.js'

export interface JUnitOptions {
  /** The name of the <testsuites> root; `Data Studio workflows` by default. */
  name?: string
}

/** Outcomes that fail the run, each reported as a <failure> of that type. */
const FAILING: ReadonlySet<Outcome> = new Set(['failed', 'timed-out', 'too-fast', 'cancelled'])

export function renderJUnit(run: RunResult, options: JUnitOptions = {}): string {
  const all = run.phases.flatMap(p => p.workflows)
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({
      name: options.name ?? 'Data Studio workflows',
      tests: all.length,
      failures: all.filter(r => FAILING.has(r.outcome)).length,
      errors: 0,
      time: seconds(run.durationMs)
    })}>`
  ]
  for (const phase of run.phases) lines.push(...renderSuite(phase))
  lines.push('</testsuites>', '')
  return lines.join('\n')
}

function renderSuite(phase: PhaseResult): string[] {
  const span = phaseSpan(phase)
  const open = `  <testsuite${attributes({
    name: `Phase ${phase.phase}`,
    tests: phase.workflows.length,
    failures: phase.workflows.filter(r => FAILING.has(r.outcome)).length,
    errors: 0,
    skipped: phase.workflows.filter(r => r.outcome === 'skipped').length,
    time: seconds(span === undefined ? 0 : span.end - span.start),
    timestamp: span === undefined ? undefined : new Date(span.start).toISOString()
  })}>`
  const properties = [
    property('phase', String(phase.phase)),
    ...(phase.skipped === undefined ? [] : [property('skipped', phase.skipped)]),
    ...phase.workflows.flatMap(r =>
      r.jobId === undefined ? [] : [property(`jobId.${r.workflow}`, r.jobId)]
    )
  ]
  return [
    open,
    '    <properties>',
    ...properties.map(p => `      ${p}`),
    '    </properties>',
    ...phase.workflows.flatMap(r => renderCase(r)),
    '  </testsuite>'
  ]
}

function renderCase(r: WorkflowResult): string[] {
  const open = `    <testcase${attributes({
    name: r.workflow,
    classname: `datastudio.phase${r.phase}`,
    time: seconds(r.durationMs ?? 0)
  })}`
  if (r.outcome === 'skipped') {
    return [
      `${open}>`,
      `      <skipped${attributes({ message: r.reason ?? 'not started' })}/>`,
      '    </testcase>'
    ]
  }
  const details = describeRun(r)
  if (FAILING.has(r.outcome)) {
    const message = r.reason ?? r.outcome
    return [
      `${open}>`,
      `      <failure${attributes({ message, type: r.outcome })}>${xmlText(`${message}\n${details}`)}</failure>`,
      '    </testcase>'
    ]
  }
  return [`${open}>`, `      <system-out>${xmlText(details)}</system-out>`, '    </testcase>']
}

/** What happened, as plain lines: the job, its last state, its duration and limits, its steps. */
function describeRun(r: WorkflowResult): string {
  const lines = [
    r.jobId === undefined ? 'No Data Studio job was started.' : `Data Studio job ${r.jobId}.`,
    ...(r.stillRunning ? ['The job may still be running in Data Studio: check it there.'] : []),
    `Outcome: ${r.outcome}${r.state === undefined ? '' : `; last state ${r.state}`}.`
  ]
  if (r.durationMs !== undefined) {
    const limits = [
      r.minDurationMs === undefined ? undefined : `min-duration ${formatDuration(r.minDurationMs)}`,
      r.maxDurationMs === undefined ? undefined : `max-duration ${formatDuration(r.maxDurationMs)}`
    ].filter(l => l !== undefined)
    lines.push(
      `Duration: ${formatDuration(r.durationMs)}${limits.length === 0 ? '' : ` (${limits.join(', ')})`}.`
    )
  }
  if (r.checks.length > 0) {
    lines.push('Step checks:')
    for (const check of r.checks) {
      lines.push(`  ${check.passed ? 'passed' : 'FAILED'}: ${check.description}`)
    }
  }
  if (r.steps.length > 0) {
    lines.push('Steps:')
    for (const step of r.steps) {
      const counters = formatCounters(step)
      lines.push(`  ${step.name}: ${step.state}${counters === '' ? '' : `, ${counters}`}`)
    }
  }
  return lines.join('\n')
}

/** From the earliest start to the latest end of the phase's workflows, in ms since the epoch. */
function phaseSpan(phase: PhaseResult): { start: number; end: number } | undefined {
  const starts = phase.workflows.flatMap(r =>
    r.startedAt === undefined ? [] : [r.startedAt.getTime()]
  )
  const ends = phase.workflows.flatMap(r =>
    r.finishedAt === undefined ? [] : [r.finishedAt.getTime()]
  )
  if (starts.length === 0) return undefined
  const start = Math.min(...starts)
  return { start, end: Math.max(start, ...ends) }
}

/** JUnit times are seconds with a decimal point (the Surefire pattern Jenkins checks). */
function seconds(ms: number): string {
  return Number.isFinite(ms) && ms > 0 ? (ms / 1000).toFixed(3) : '0'
}

function property(name: string, value: string): string {
  return `<property${attributes({ name, value })}/>`
}

function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${xmlAttribute(String(value))}"`)
    .join('')
}

/**
 * Characters XML 1.0 cannot carry at all, even escaped: C0 controls other than tab, line feed
 * and carriage return, lone surrogates, U+FFFE and U+FFFF. Server messages may hold any of them.
 */
const ILLEGAL_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/** Text content: the five predefined entities, and no character XML 1.0 forbids. */
export function xmlText(text: string): string {
  return text
    .replace(ILLEGAL_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

/**
 * An attribute value (in double quotes): as text, plus tab and line breaks as character
 * references, because a parser turns literal ones into spaces (attribute-value normalisation).
 */
export function xmlAttribute(text: string): string {
  return xmlText(text).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;')
}
