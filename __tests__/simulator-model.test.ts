import { describe, expect, it } from '@jest/globals'
import {
  decideFault,
  drawFaults,
  dropsAfterAccept,
  faultsFor,
  seededRandom,
  type FaultDraws
} from '../src/simulator/faults.js'
import {
  executionsPerWorkflow,
  peakConcurrency,
  phasesOrdered,
  type JobInterval,
  type RequestLogEntry
} from '../src/simulator/log.js'
import { parseScenario, type WorkflowSpec } from '../src/simulator/scenario.js'
import { endMs, snapshotJob, type SimJob } from '../src/simulator/timeline.js'

const T0 = Date.parse('2026-12-04T10:00:00.000Z')

function spec(workflow: Record<string, unknown>): WorkflowSpec {
  const scenario = parseScenario({ apiKey: 'k', workflows: { wf: workflow } })
  return scenario.workflows.wf as WorkflowSpec
}

function job(workflow: Record<string, unknown>, cancelledAfterMs?: number): SimJob {
  return {
    jobId: '1001',
    workflow: 'wf',
    spec: spec(workflow),
    submittedMs: T0,
    cancelledMs: cancelledAfterMs === undefined ? undefined : T0 + cancelledAfterMs
  }
}

const twoSteps = {
  queued: '1s',
  duration: '4s',
  steps: [
    { name: 'Load customers', share: 1, rowCount: 1000 },
    { name: 'Validate addresses', share: 3, rowCount: 900, failedRowCount: 30 }
  ]
}

describe('snapshotJob', () => {
  it('is QUEUED with no start until the queued time has passed', () => {
    const wire = snapshotJob(job(twoSteps), T0 + 500)
    expect(wire).toMatchObject({
      jobId: '1001',
      workflowExternalLabel: 'wf',
      state: 'QUEUED',
      submittedAt: '2026-12-04T10:00:00.000Z',
      startedAt: null,
      finishedAt: null,
      message: null
    })
    expect(wire.steps.map(s => s.state)).toEqual(['QUEUED', 'QUEUED'])
    expect(wire.steps[0]?.rowCount).toBe(0)
  })

  it('runs the steps in sequence by share, counters growing linearly', () => {
    // The first step takes 1 s of the 4 s (share 1 of 4), from 1 s to 2 s after submission.
    const halfFirst = snapshotJob(job(twoSteps), T0 + 1500)
    expect(halfFirst.state).toBe('RUNNING')
    expect(halfFirst.startedAt).toBe('2026-12-04T10:00:01.000Z')
    expect(halfFirst.steps).toEqual([
      { name: 'Load customers', state: 'RUNNING', rowCount: 500 },
      { name: 'Validate addresses', state: 'QUEUED', rowCount: 0, failedRowCount: 0 }
    ])
    const thirdOfSecond = snapshotJob(job(twoSteps), T0 + 3000)
    expect(thirdOfSecond.steps).toEqual([
      { name: 'Load customers', state: 'COMPLETED', rowCount: 1000 },
      { name: 'Validate addresses', state: 'RUNNING', rowCount: 300, failedRowCount: 10 }
    ])
  })

  it('completes at submission + queued + duration with final counters', () => {
    expect(snapshotJob(job(twoSteps), T0 + 4999).state).toBe('RUNNING')
    const done = snapshotJob(job(twoSteps), T0 + 60_000)
    expect(done).toMatchObject({
      state: 'COMPLETED',
      finishedAt: '2026-12-04T10:00:05.000Z',
      message: null
    })
    expect(done.steps).toEqual([
      { name: 'Load customers', state: 'COMPLETED', rowCount: 1000 },
      { name: 'Validate addresses', state: 'COMPLETED', rowCount: 900, failedRowCount: 30 }
    ])
  })

  it('fails in the failing step, at the end of the duration; later steps never run', () => {
    const failing = job({
      queued: 0,
      duration: '3s',
      outcome: 'FAILED',
      failingStep: 'B',
      message: 'B broke',
      steps: [
        { name: 'A', rowCount: 10 },
        { name: 'B', rowCount: 20, failedRowCount: 5 },
        { name: 'C', rowCount: 30 }
      ]
    })
    // The 3 s are shared by A and B only.
    expect(snapshotJob(failing, T0 + 2250).steps.map(s => [s.state, s.rowCount])).toEqual([
      ['COMPLETED', 10],
      ['RUNNING', 10],
      ['QUEUED', 0]
    ])
    const ended = snapshotJob(failing, T0 + 3000)
    expect(ended).toMatchObject({
      state: 'FAILED',
      message: 'B broke',
      finishedAt: '2026-12-04T10:00:03.000Z'
    })
    expect(ended.steps).toEqual([
      { name: 'A', state: 'COMPLETED', rowCount: 10 },
      { name: 'B', state: 'FAILED', rowCount: 20, failedRowCount: 5 },
      { name: 'C', state: 'QUEUED', rowCount: 0 }
    ])
  })

  it('freezes a cancelled job where it was, the running step CANCELLED', () => {
    const cancelled = job(twoSteps, 1500)
    expect(endMs(cancelled)).toBe(T0 + 1500)
    const wire = snapshotJob(cancelled, T0 + 60_000)
    expect(wire).toMatchObject({
      state: 'CANCELLED',
      finishedAt: '2026-12-04T10:00:01.500Z',
      startedAt: '2026-12-04T10:00:01.000Z'
    })
    expect(wire.message).toMatch(/cancel/i)
    expect(wire.steps.map(s => [s.state, s.rowCount])).toEqual([
      ['CANCELLED', 500],
      ['QUEUED', 0]
    ])
    // Cancelled while still queued: it never started.
    expect(snapshotJob(job(twoSteps, 200), T0 + 60_000).startedAt).toBeNull()
  })

  it('never ends with duration never (stuck at the first step) or hang (stuck in the last)', () => {
    const never = snapshotJob(job({ ...twoSteps, duration: 'never' }), T0 + 86_400_000)
    expect(never).toMatchObject({ state: 'RUNNING', finishedAt: null })
    expect(never.steps.map(s => [s.state, s.rowCount])).toEqual([
      ['RUNNING', 0],
      ['QUEUED', 0]
    ])
    const hang = snapshotJob(job({ ...twoSteps, hang: true }), T0 + 86_400_000)
    expect(hang).toMatchObject({ state: 'RUNNING', finishedAt: null })
    expect(hang.steps.map(s => [s.state, s.rowCount])).toEqual([
      ['COMPLETED', 1000],
      ['RUNNING', 900]
    ])
  })

  it('reports an unknown state during its window, then carries on', () => {
    const paused = job({ ...twoSteps, unknownState: { state: 'PAUSED', after: '2s', for: '1s' } })
    expect(snapshotJob(paused, T0 + 1500).state).toBe('RUNNING')
    expect(snapshotJob(paused, T0 + 2500).state).toBe('PAUSED')
    expect(snapshotJob(paused, T0 + 3500).state).toBe('RUNNING')
    expect(snapshotJob(paused, T0 + 5000).state).toBe('COMPLETED')
    const forever = job({ ...twoSteps, unknownState: 'PAUSED' })
    expect(snapshotJob(forever, T0 + 86_400_000)).toMatchObject({
      state: 'PAUSED',
      finishedAt: null
    })
  })

  it('handles a zero duration and a workflow without steps', () => {
    const instant = snapshotJob(job({ queued: 0, duration: 0 }), T0)
    expect(instant).toMatchObject({ state: 'COMPLETED', steps: [] })
  })
})

describe('faults', () => {
  const none: FaultDraws = {
    drop: 0.99,
    rateLimit: 0.99,
    error: 0.99,
    errorCode: 0,
    latency: 0.5,
    acceptThenDrop: 0.99
  }

  it('draws the same values for the same seed', () => {
    const a = seededRandom(42)
    const b = seededRandom(42)
    const c = seededRandom(43)
    const first = Array.from({ length: 5 }, () => drawFaults(a))
    expect(Array.from({ length: 5 }, () => drawFaults(b))).toEqual(first)
    expect(Array.from({ length: 5 }, () => drawFaults(c))).not.toEqual(first)
    for (const draws of first) {
      for (const value of Object.values(draws)) {
        expect(value).toBeGreaterThanOrEqual(0)
        expect(value).toBeLessThan(1)
      }
    }
  })

  it('lets a kind’s own settings override those of all', () => {
    const table = {
      all: { errorRate: 0.5, dropRate: 0.1 },
      job: { errorRate: 0 }
    }
    expect(faultsFor(table, 'job')).toEqual({ errorRate: 0, dropRate: 0.1 })
    expect(faultsFor(table, 'execute')).toEqual({ errorRate: 0.5, dropRate: 0.1 })
    expect(faultsFor(table, undefined)).toEqual({ errorRate: 0.5, dropRate: 0.1 })
  })

  it('puts downtime first, then drops, then 429, then errors', () => {
    const all = { dropRate: 1, rateLimitRate: 1, errorRate: 1, retryAfterSeconds: 3 }
    const draws = { ...none, drop: 0, rateLimit: 0, error: 0 }
    const window = [{ startMs: 1000, durationMs: 1000, mode: 503 as const }]
    expect(decideFault(all, window, 1500, draws).action).toEqual({
      kind: 'status',
      status: 503,
      reason: 'downtime'
    })
    expect(decideFault(all, [{ ...window[0]!, mode: 'drop' }], 1500, draws).action).toEqual({
      kind: 'drop',
      reason: 'downtime'
    })
    expect(decideFault(all, window, 2000, draws).action).toEqual({ kind: 'drop', reason: 'drop' })
    expect(decideFault({ ...all, dropRate: 0 }, [], 0, draws).action).toEqual({
      kind: 'status',
      status: 429,
      reason: 'rate-limit',
      retryAfterSeconds: 3
    })
    expect(decideFault({ errorRate: 1, errorCodes: [502, 504] }, [], 0, draws).action).toEqual({
      kind: 'status',
      status: 502,
      reason: 'error'
    })
    expect(
      decideFault({ errorRate: 1, errorCodes: [502, 504] }, [], 0, { ...draws, errorCode: 0.99 })
        .action
    ).toMatchObject({ status: 504 })
    const half = { dropRate: 0.5, rateLimitRate: 0.5, errorRate: 0.5 }
    expect(decideFault(half, [], 0, none).action).toEqual({ kind: 'none' })
  })

  it('picks latency within its range', () => {
    const latency = { latency: { minMs: 100, maxMs: 300 } }
    expect(decideFault(latency, [], 0, { ...none, latency: 0 }).latencyMs).toBe(100)
    expect(decideFault(latency, [], 0, { ...none, latency: 0.5 }).latencyMs).toBe(200)
    expect(decideFault({}, [], 0, none).latencyMs).toBe(0)
  })

  it('drops the answer of the first N jobs created, then at its rate', () => {
    const first2 = { acceptThenDrop: { first: 2, rate: 0 } }
    expect([1, 2, 3].map(n => dropsAfterAccept(first2, n, 0.5))).toEqual([true, true, false])
    const half = { acceptThenDrop: { first: 0, rate: 0.5 } }
    expect(dropsAfterAccept(half, 1, 0.4)).toBe(true)
    expect(dropsAfterAccept(half, 1, 0.6)).toBe(false)
    expect(dropsAfterAccept({}, 1, 0)).toBe(false)
  })
})

function interval(
  jobId: string,
  workflow: string,
  fromSeconds: number,
  toSeconds: number | null
): JobInterval {
  const at = (s: number): string => new Date(T0 + s * 1000).toISOString()
  return {
    jobId,
    workflow,
    submittedAt: at(fromSeconds),
    endedAt: toSeconds === null ? null : at(toSeconds)
  }
}

describe('peakConcurrency', () => {
  it('counts overlapping jobs, intervals being half-open', () => {
    expect(peakConcurrency([])).toBe(0)
    expect(peakConcurrency([interval('1', 'a', 0, 1), interval('2', 'b', 1, 2)])).toBe(1)
    expect(
      peakConcurrency([
        interval('1', 'a', 0, 10),
        interval('2', 'b', 1, 3),
        interval('3', 'c', 2, 4),
        interval('4', 'd', 3.5, 5)
      ])
    ).toBe(3)
  })

  it('counts a job that has not ended as still occupying', () => {
    expect(peakConcurrency([interval('1', 'a', 0, null), interval('2', 'b', 100, 101)])).toBe(2)
  })
})

describe('phasesOrdered', () => {
  const phases = [['wf1'], ['wf2', 'wf3'], ['wf4']]

  it('accepts phases that ran one after another', () => {
    const jobs = [
      interval('1', 'wf1', 0, 2),
      interval('2', 'wf2', 2, 5),
      interval('3', 'wf3', 2.1, 4),
      interval('4', 'wf4', 5, 6)
    ]
    expect(phasesOrdered(jobs, phases)).toEqual({ ok: true, violations: [] })
  })

  it('accepts a run that stopped early (later phases without jobs)', () => {
    expect(phasesOrdered([interval('1', 'wf1', 0, 2)], phases).ok).toBe(true)
  })

  it('names the job submitted before an earlier phase ended', () => {
    const jobs = [
      interval('1', 'wf1', 0, 2),
      interval('2', 'wf2', 2, 5),
      interval('3', 'wf3', 2, 4),
      interval('4', 'wf4', 4.5, 6)
    ]
    const result = phasesOrdered(jobs, phases)
    expect(result.ok).toBe(false)
    expect(result.violations).toEqual([
      'job 4 of wf4 (phase 3) was submitted at 2026-12-04T10:00:04.500Z, before job 2 of wf2 (phase 2) ended at 2026-12-04T10:00:05.000Z'
    ])
  })

  it('flags a phase that started while an earlier job never ended or never ran', () => {
    const stillRunning = phasesOrdered(
      [interval('1', 'wf1', 0, null), interval('2', 'wf2', 5, 6), interval('3', 'wf3', 5, 6)],
      phases
    )
    expect(stillRunning.violations).toEqual([
      'job 2 of wf2 (phase 2) was submitted while job 1 of wf1 (phase 1) had not ended'
    ])
    const skipped = phasesOrdered(
      [interval('1', 'wf1', 0, 1), interval('2', 'wf2', 1, 2), interval('4', 'wf4', 2, 3)],
      phases
    )
    expect(skipped.violations).toEqual([
      'phase 3 started (job 4 of wf4) but wf3 of phase 2 never ran'
    ])
  })
})

describe('executionsPerWorkflow', () => {
  const entry = (over: Partial<RequestLogEntry>): RequestLogEntry => ({
    time: '2026-12-04T10:00:00.000Z',
    sinceStartMs: 0,
    method: 'POST',
    path: '/api/1/workflows/execute',
    status: 201,
    durationMs: 1,
    route: 'execute',
    ...over
  })

  it('counts executes that created a job, including those whose answer was dropped', () => {
    const log = [
      entry({ workflow: 'wf1', jobId: '1001' }),
      entry({ workflow: 'wf1', jobId: '1002', status: 'dropped', fault: 'accept-then-drop' }),
      entry({ workflow: 'wf2', jobId: '1003' }),
      entry({ workflow: 'wf2', status: 503, fault: 'error' }),
      entry({ workflow: 'nope', status: 404 }),
      entry({
        route: 'job',
        method: 'GET',
        path: '/api/1/jobs/1001',
        workflow: 'wf1',
        jobId: '1001'
      })
    ]
    expect(executionsPerWorkflow(log)).toEqual({ wf1: 2, wf2: 1 })
  })
})
