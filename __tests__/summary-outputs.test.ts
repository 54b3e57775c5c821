import { describe, expect, it } from '@jest/globals'
import { verdictLine } from '../src/log.js'
import { failureLine } from '../src/outcome.js'
import { Outputs, runOutputs } from '../src/outputs.js'
import type { PhaseResult, RunResult } from '../src/runner.js'
import { renderSummary } from '../src/summary.js'
import { runResult, workflowResult } from './fixtures/results.js'

const CONTEXT = { serverUrl: 'https://ds.example.com:7701', environment: 'prod', tenancy: '1' }
const T0 = Date.parse('2026-12-04T10:00:00.000Z')
const at = (seconds: number) => new Date(T0 + seconds * 1000)

const SKIP_REASON = 'phase 2 failed (wf2, wf3) and fail-fast is on'
const NASTY_REASON =
  "Data Studio reported FAILED in step 'Validate | addresses': bad | value <b>bold</b> & more\nsecond line"

const workflow = workflowResult

const WF1 = workflow({
  phase: 1,
  workflow: 'wf1',
  minDurationMs: 60_000,
  maxDurationMs: 600_000,
  jobId: '101',
  state: 'COMPLETED',
  startedAt: at(1),
  finishedAt: at(66),
  durationMs: 65_000,
  steps: [{ name: 'Load customers', state: 'COMPLETED', counters: { rowCount: 120_000 } }]
})
const WF2 = workflow({
  phase: 2,
  workflow: 'wf2',
  maxDurationMs: 600_000,
  jobId: '102',
  state: 'FAILED',
  outcome: 'failed',
  reason: NASTY_REASON,
  startedAt: at(70),
  finishedAt: at(82.34),
  durationMs: 12_340,
  steps: [
    { name: 'Load', state: 'COMPLETED', counters: { rowCount: 5_000 } },
    {
      name: 'Validate | addresses',
      state: 'FAILED',
      counters: { rowCount: 80_000, failedRowCount: 312 }
    },
    { name: 'Export', state: 'QUEUED', counters: {} }
  ]
})
const WF3 = workflow({
  phase: 2,
  workflow: 'wf3',
  maxDurationMs: 600_000,
  jobId: '103',
  state: 'RUNNING',
  outcome: 'timed-out',
  reason: 'still RUNNING after max-duration 10m; job 103 cancelled in Data Studio',
  startedAt: at(70),
  finishedAt: at(670),
  durationMs: 600_000
})
const WF4 = workflow({
  phase: 2,
  workflow: 'wf4',
  jobId: '104',
  state: 'COMPLETED',
  startedAt: at(70),
  finishedAt: at(75),
  durationMs: 5_000
})
const WF5 = workflow({
  phase: 3,
  workflow: 'wf5',
  minDurationMs: 1_000,
  outcome: 'skipped',
  reason: `not started: ${SKIP_REASON}`
})

const PHASES: PhaseResult[] = [
  { phase: 1, skipped: undefined, workflows: [WF1] },
  { phase: 2, skipped: undefined, workflows: [WF2, WF3, WF4] },
  { phase: 3, skipped: SKIP_REASON, workflows: [WF5] }
]

const RUN: RunResult = runResult({ phases: PHASES, startedAt: at(0), durationMs: 125_430 })

const SUCCESS: RunResult = runResult({
  result: 'success',
  phases: [{ phase: 1, skipped: undefined, workflows: [WF1, { ...WF4, phase: 1 }] }],
  startedAt: at(0),
  durationMs: 65_000
})

/** The Markdown between one `### Phase` heading and the next. */
function sections(markdown: string): string[] {
  return markdown.split(/^(?=### Phase )/m).slice(1)
}

/** The cells of a table row, split on pipes that are not escaped. */
function cells(row: string): string[] {
  return row
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map(c => c.trim())
}

function rowOf(section: string, first: string): string[] {
  const line = section.split('\n').find(l => l.startsWith(`| ${first} |`))
  expect(line).toBeDefined()
  return cells(line as string)
}

describe('renderSummary', () => {
  const markdown = renderSummary(RUN, CONTEXT)
  const [phase1, phase2, phase3] = sections(markdown) as [string, string, string]

  it('starts with the headline and the verdict', () => {
    const lines = markdown.split('\n')
    expect(lines[0]).toBe('## ❌ Data Studio workflows failed')
    expect(lines[2]).toBe(
      `failure after 2m 5s — ${failureLine(RUN.workflows.filter(r => r.outcome !== 'success'))}`
    )
    expect(markdown).toContain(
      'Server `https://ds.example.com:7701`, environment `prod`, tenancy `1` · 3 phases · started 2026-12-04T10:00:00.000Z'
    )
  })

  it.each([
    ['success', '## ✅ Data Studio workflows succeeded'],
    ['cancelled', '## 🛑 Data Studio run cancelled']
  ] as const)('headline for %s', (result, headline) => {
    expect(renderSummary({ ...RUN, result }, CONTEXT).split('\n')[0]).toBe(headline)
  })

  it('has one "### Phase n of m" section per phase, in order, with its status', () => {
    expect(markdown.match(/^### Phase .*$/gm)).toEqual([
      '### Phase 1 of 3 — ✅ succeeded',
      '### Phase 2 of 3 — ❌ failed',
      '### Phase 3 of 3 — ⏭️ skipped'
    ])
  })

  it('says why the skipped phase did not start, and only there', () => {
    expect(phase3).toContain(`Not started: ${SKIP_REASON}.`)
    expect(phase1).not.toContain('Not started')
    expect(phase2).not.toContain('Not started')
    expect(rowOf(phase3, '`wf5`')).toEqual([
      '`wf5`',
      '—',
      '⏭️ skipped',
      '—',
      '≥ 1.0s',
      `not started: ${SKIP_REASON}`
    ])
  })

  it('has a workflow table per phase with job, outcome, duration, expected limits and reason', () => {
    for (const section of [phase1, phase2, phase3]) {
      expect(section).toContain('| Workflow | Job | Outcome | Duration | Expected | Reason |')
    }
    expect(rowOf(phase1, '`wf1`')).toEqual([
      '`wf1`',
      '101',
      '✅ success',
      '1m 5s',
      '≥ 1m, ≤ 10m',
      ''
    ])
    expect(rowOf(phase2, '`wf3`')).toEqual([
      '`wf3`',
      '103',
      '⏱️ timed-out',
      '10m',
      '≤ 10m',
      'still RUNNING after max-duration 10m; job 103 cancelled in Data Studio'
    ])
    expect(rowOf(phase2, '`wf4`')).toEqual(['`wf4`', '104', '✅ success', '5.0s', 'any', ''])
  })

  it('escapes server text in cells: pipes escaped, no raw HTML, no line break', () => {
    const row = rowOf(phase2, '`wf2`')
    expect(row).toHaveLength(6)
    expect(row.slice(0, 5)).toEqual(['`wf2`', '102', '❌ failed', '12.3s', '≤ 10m'])
    expect(row[5]).toBe(
      "Data Studio reported FAILED in step 'Validate \\| addresses': bad \\| value " +
        '&lt;b&gt;bold&lt;/b&gt; &amp; more<br>second line'
    )
    expect(markdown).not.toContain('<b>')
    expect(markdown).not.toContain('second line\n')
  })

  it('every table row has exactly its columns (no unescaped pipe leaks)', () => {
    const rows = markdown.split('\n').filter(l => l.startsWith('| '))
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) {
      const width = cells(row).length
      expect([4, 6]).toContain(width)
    }
  })

  it('lists the step results the server returned, per phase that has any', () => {
    expect(phase1).toContain('<details><summary>Step results</summary>')
    expect(phase1).toContain('| Workflow | Step | State | Counters |')
    expect(phase1).toContain('| `wf1` | Load customers | COMPLETED | rowCount 120,000 |')
    expect(phase2).toContain('| `wf2` | Load | COMPLETED | rowCount 5,000 |')
    expect(phase2).toContain(
      '| `wf2` | Validate \\| addresses | FAILED | rowCount 80,000, failedRowCount 312 |'
    )
    expect(phase2).toContain('| `wf2` | Export | QUEUED |  |')
    // wf3 and wf4 returned no steps: they appear in the workflow table only.
    expect(phase2.match(/^\| `wf3` \|/gm)).toHaveLength(1)
    expect(phase2.match(/^\| `wf4` \|/gm)).toHaveLength(1)
    expect(phase3).not.toContain('Step results')
  })

  it('says "1 phase" for a one-phase run', () => {
    expect(renderSummary(SUCCESS, CONTEXT)).toContain('tenancy `1` · 1 phase · started')
  })
})

describe('runOutputs', () => {
  const outputs = runOutputs(RUN)
  const results = JSON.parse(outputs[Outputs.Results] as string) as Record<string, unknown>[]

  it('has exactly the four outputs', () => {
    expect(Object.keys(outputs).sort()).toEqual(
      ['duration-seconds', 'failed-workflows', 'result', 'results'].sort()
    )
  })

  it('result, failed-workflows (failed, not skipped, comma-joined) and duration-seconds', () => {
    expect(outputs[Outputs.Result]).toBe('failure')
    expect(outputs[Outputs.FailedWorkflows]).toBe('wf2,wf3')
    expect(outputs[Outputs.DurationSeconds]).toBe('125.4')
  })

  it('a successful run has no failed workflows', () => {
    const ok = runOutputs(SUCCESS)
    expect(ok[Outputs.Result]).toBe('success')
    expect(ok[Outputs.FailedWorkflows]).toBe('')
    expect(ok[Outputs.DurationSeconds]).toBe('65')
  })

  it('results: one record per workflow in plan order, with every key', () => {
    expect(results.map(r => [r.phase, r.workflow, r.outcome])).toEqual([
      [1, 'wf1', 'success'],
      [2, 'wf2', 'failed'],
      [2, 'wf3', 'timed-out'],
      [2, 'wf4', 'success'],
      [3, 'wf5', 'skipped']
    ])
    const keys = [
      'durationSeconds',
      'finishedAt',
      'jobId',
      'outcome',
      'phase',
      'reason',
      'startedAt',
      'state',
      'steps',
      'workflow'
    ]
    for (const record of results) expect(Object.keys(record).sort()).toEqual(keys)
  })

  it('results: values as JSON, with the step counters flattened', () => {
    expect(results[0]).toEqual({
      phase: 1,
      workflow: 'wf1',
      jobId: '101',
      state: 'COMPLETED',
      outcome: 'success',
      reason: null,
      startedAt: '2026-12-04T10:00:01.000Z',
      finishedAt: '2026-12-04T10:01:06.000Z',
      durationSeconds: 65,
      steps: [{ name: 'Load customers', state: 'COMPLETED', rowCount: 120_000 }]
    })
    expect(results[1]).toMatchObject({
      jobId: '102',
      state: 'FAILED',
      reason: NASTY_REASON,
      durationSeconds: 12.3,
      finishedAt: '2026-12-04T10:01:22.340Z',
      steps: [
        { name: 'Load', state: 'COMPLETED', rowCount: 5_000 },
        { name: 'Validate | addresses', state: 'FAILED', rowCount: 80_000, failedRowCount: 312 },
        { name: 'Export', state: 'QUEUED' }
      ]
    })
  })

  it('results: nulls for what a skipped workflow never had', () => {
    expect(results[4]).toEqual({
      phase: 3,
      workflow: 'wf5',
      jobId: null,
      state: null,
      outcome: 'skipped',
      reason: `not started: ${SKIP_REASON}`,
      startedAt: null,
      finishedAt: null,
      durationSeconds: null,
      steps: []
    })
  })
})

describe('verdictLine', () => {
  it.each([
    [SUCCESS, 'Result: success — all 2 workflows succeeded in 1m 5s'],
    [
      {
        ...SUCCESS,
        workflows: [WF1],
        phases: [{ phase: 1, skipped: undefined, workflows: [WF1] }]
      },
      'Result: success — all 1 workflow succeeded in 1m 5s'
    ]
  ])('%#: success', (run, line) => {
    expect(verdictLine(run)).toBe(line)
  })

  it.each(['failure', 'cancelled'] as const)(
    '%s names every workflow that did not succeed',
    result => {
      const bad = RUN.workflows.filter(r => r.outcome !== 'success')
      expect(verdictLine({ ...RUN, result })).toBe(
        `Result: ${result} after 2m 5s — ${failureLine(bad)}`
      )
      expect(failureLine(bad)).toContain('wf2 (failed)')
      expect(failureLine(bad)).toContain('wf3 (timed-out)')
      expect(failureLine(bad)).toContain('wf5')
      expect(failureLine(bad)).not.toContain('wf1')
      expect(failureLine(bad)).not.toContain('wf4')
    }
  )
})
