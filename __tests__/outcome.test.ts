import { describe, expect, it } from '@jest/globals'
import { parseJob, type JobStatus } from '../src/contract.js'
import {
  failureLine,
  formatCounters,
  jobDurationMs,
  judgeEndedJob,
  type Outcome
} from '../src/outcome.js'
import type { DurationLimits } from '../src/plan.js'

const MIN = 60_000
const MAX = 600_000
const LIMITS: DurationLimits = { minDurationMs: MIN, maxDurationMs: MAX }
const NO_LIMITS: DurationLimits = { minDurationMs: undefined, maxDurationMs: undefined }

/** A job as the server would send it, read through the contract's tolerant parser. */
function job(fields: Record<string, unknown>): JobStatus {
  return parseJob({ jobId: '1042', workflowExternalLabel: 'wf1', ...fields })
}

describe('judgeEndedJob', () => {
  it.each<[string, Record<string, unknown>, number, DurationLimits, Outcome]>([
    ['COMPLETED within the limits', { state: 'COMPLETED' }, 5 * 60_000, LIMITS, 'success'],
    ['COMPLETED with no limits', { state: 'COMPLETED' }, 1, NO_LIMITS, 'success'],
    ['completed, lower case', { status: 'completed' }, 5 * 60_000, LIMITS, 'success'],
    ['COMPLETED just inside min-duration', { state: 'COMPLETED' }, MIN + 1, LIMITS, 'success'],
    ['COMPLETED just inside max-duration', { state: 'COMPLETED' }, MAX - 1, LIMITS, 'success']
  ])('%s → %s', (_name, fields, durationMs, limits, outcome) => {
    expect(judgeEndedJob(job(fields), durationMs, limits)).toEqual({ outcome, reason: undefined })
  })

  it.each([
    [2_000, '2.0s'],
    [59_000, '59.0s'],
    [0, '0ms']
  ])('COMPLETED in %i ms, under min-duration 1m → too-fast', (durationMs, shown) => {
    const verdict = judgeEndedJob(job({ state: 'COMPLETED' }), durationMs, LIMITS)
    expect(verdict.outcome).toBe('too-fast')
    expect(verdict.reason).toContain(`completed in ${shown}`)
    expect(verdict.reason).toContain('sooner than min-duration 1m')
    expect(verdict.reason).toContain('check that its sources were not empty')
  })

  it('COMPLETED longer than max-duration → timed-out, naming both durations', () => {
    const verdict = judgeEndedJob(job({ state: 'COMPLETED' }), 15 * 60_000, LIMITS)
    expect(verdict).toEqual({
      outcome: 'timed-out',
      reason: 'completed in 15m, longer than max-duration 10m'
    })
  })

  it('only max-duration set: a very fast run still succeeds', () => {
    const limits = { minDurationMs: undefined, maxDurationMs: MAX }
    expect(judgeEndedJob(job({ state: 'COMPLETED' }), 1, limits).outcome).toBe('success')
  })

  it('FAILED with a message → failed, with the message', () => {
    const verdict = judgeEndedJob(
      job({ state: 'FAILED', message: 'Source file customers.csv not found' }),
      5 * 60_000,
      LIMITS
    )
    expect(verdict).toEqual({
      outcome: 'failed',
      reason: 'Data Studio reported FAILED: Source file customers.csv not found'
    })
  })

  it('FAILED without a message → failed, naming the state', () => {
    const verdict = judgeEndedJob(job({ state: 'FAILED', message: null }), 1_000, NO_LIMITS)
    expect(verdict).toEqual({ outcome: 'failed', reason: 'Data Studio reported FAILED' })
  })

  it('FAILED with a failed step → the reason names the first failed step', () => {
    const verdict = judgeEndedJob(
      job({
        state: 'failed',
        message: '312 rows rejected',
        steps: [
          { name: 'Load customers', state: 'COMPLETED', rowCount: 120_000 },
          { name: 'Validate addresses', status: 'failed', failedRowCount: 312 },
          { name: 'Export', state: 'FAILED' }
        ]
      }),
      5 * 60_000,
      LIMITS
    )
    expect(verdict).toEqual({
      outcome: 'failed',
      reason: "Data Studio reported FAILED in step 'Validate addresses': 312 rows rejected"
    })
  })

  it('FAILED with a message that names the failed step → the step is named once', () => {
    const verdict = judgeEndedJob(
      job({
        state: 'FAILED',
        message: "Step 'Validate addresses' failed: 312 rows rejected",
        steps: [{ name: 'Validate addresses', state: 'FAILED' }]
      }),
      5 * 60_000,
      LIMITS
    )
    expect(verdict.reason).toBe(
      "Data Studio reported FAILED: Step 'Validate addresses' failed: 312 rows rejected"
    )
  })

  it.each([
    ['faster than min-duration', 1],
    ['slower than max-duration', 60 * 60_000]
  ])('FAILED %s is still failed (the state wins over the duration)', (_name, durationMs) => {
    expect(judgeEndedJob(job({ state: 'FAILED' }), durationMs, LIMITS).outcome).toBe('failed')
  })

  it('ABORTED → failed, naming the state', () => {
    const verdict = judgeEndedJob(job({ state: 'ABORTED', message: 'server restarted' }), 1, LIMITS)
    expect(verdict).toEqual({
      outcome: 'failed',
      reason: 'Data Studio reported ABORTED: server restarted'
    })
  })

  it.each([
    [
      { state: 'CANCELLED', message: 'cancelled by jane.doe' },
      'cancelled in Data Studio: cancelled by jane.doe'
    ],
    [{ status: 'Cancelled' }, 'cancelled in Data Studio'],
    [{ state: 'CANCELLED', message: '   ' }, 'cancelled in Data Studio']
  ])('%j (by someone in Data Studio) → cancelled', (fields, reason) => {
    expect(judgeEndedJob(job(fields), 5 * 60_000, LIMITS)).toEqual({ outcome: 'cancelled', reason })
  })
})

describe('jobDurationMs', () => {
  const SUBMITTED = Date.parse('2026-12-04T10:00:00.000Z')
  const SEEN_END = SUBMITTED + 95_000 // 95 s by the local clock

  it.each<[string, Record<string, unknown>, number]>([
    [
      'server startedAt → finishedAt',
      { startedAt: '2026-12-04T10:00:01.250Z', finishedAt: '2026-12-04T10:01:31.250Z' },
      90_000
    ],
    [
      'server submittedAt → finishedAt when startedAt is missing',
      { submittedAt: '2026-12-04T10:00:00.000Z', finishedAt: '2026-12-04T10:00:42.000Z' },
      42_000
    ],
    [
      'startedAt wins over submittedAt',
      {
        submittedAt: '2026-12-04T09:00:00.000Z',
        startedAt: '2026-12-04T10:00:00.000Z',
        finishedAt: '2026-12-04T10:00:10.000Z'
      },
      10_000
    ],
    ['local times when finishedAt is missing', { startedAt: '2026-12-04T10:00:01.000Z' }, 95_000],
    [
      'local times when finishedAt is null',
      { startedAt: '2026-12-04T10:00:01.000Z', finishedAt: null },
      95_000
    ],
    ['local times when the server sent no times', {}, 95_000],
    [
      'local times when startedAt is not a date',
      { startedAt: 'soon', finishedAt: '2026-12-04T10:00:10.000Z' },
      95_000
    ],
    [
      'local times when the server ends before it starts (clock skew)',
      { startedAt: '2026-12-04T10:00:10.000Z', finishedAt: '2026-12-04T10:00:05.000Z' },
      95_000
    ],
    [
      'server times even when they span zero',
      { startedAt: '2026-12-04T10:00:10.000Z', finishedAt: '2026-12-04T10:00:10.000Z' },
      0
    ]
  ])('%s', (_name, fields, ms) => {
    expect(jobDurationMs(job({ state: 'COMPLETED', ...fields }), SUBMITTED, SEEN_END)).toBe(ms)
  })
})

describe('failureLine', () => {
  it.each<[{ workflow: string; outcome: Outcome }[], string]>([
    [[{ workflow: 'wf2', outcome: 'failed' }], '1 workflow did not succeed: wf2 (failed)'],
    [
      [
        { workflow: 'wf2', outcome: 'failed' },
        { workflow: 'wf5', outcome: 'timed-out' },
        { workflow: 'wf6', outcome: 'too-fast' },
        { workflow: 'wf8', outcome: 'cancelled' }
      ],
      '4 workflows did not succeed: wf2 (failed), wf5 (timed-out), wf6 (too-fast), wf8 (cancelled)'
    ],
    [
      [
        { workflow: 'wf2', outcome: 'failed' },
        { workflow: 'wf5', outcome: 'skipped' },
        { workflow: 'wf6', outcome: 'skipped' }
      ],
      '1 workflow did not succeed: wf2 (failed); 2 not started: wf5, wf6'
    ],
    [[{ workflow: 'wf7', outcome: 'skipped' }], '1 not started: wf7'],
    [
      [
        { workflow: 'wf1', outcome: 'success' },
        { workflow: 'wf2', outcome: 'too-fast' }
      ],
      '1 workflow did not succeed: wf2 (too-fast)'
    ]
  ])('%j → %j', (failed, line) => {
    expect(failureLine(failed)).toBe(line)
  })
})

describe('formatCounters', () => {
  it.each<[Record<string, unknown>, string]>([
    [
      { name: 'Load', state: 'COMPLETED', rowCount: 120_000, failedRowCount: 312 },
      'rowCount 120,000, failedRowCount 312'
    ],
    [{ name: 'Load', state: 'COMPLETED', rowCount: 1_234_567.5 }, 'rowCount 1,234,567.5'],
    [{ name: 'Load', state: 'COMPLETED', rowCount: 0 }, 'rowCount 0'],
    [{ name: 'Load', state: 'COMPLETED' }, ''],
    [
      { name: 'Load', state: 'RUNNING', note: 'halfway', rowCount: '12', failedRowCount: 3 },
      'failedRowCount 3'
    ]
  ])('%j → %j', (step, text) => {
    const [parsed] = job({ state: 'RUNNING', steps: [step] }).steps
    expect(parsed).toBeDefined()
    expect(formatCounters(parsed as NonNullable<typeof parsed>)).toBe(text)
  })
})
