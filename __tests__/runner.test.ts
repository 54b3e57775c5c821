import { describe, expect, it } from '@jest/globals'
import { ApiError } from '../src/client.js'
import type { JobStatus, Step } from '../src/contract.js'
import { buildPlan, type Plan } from '../src/plan.js'
import { runPlan, type RunObserver, type RunOptions } from '../src/runner.js'
import { FakeDataStudio, type FakeWorkflow } from './fixtures/fake-api.js'

const execute = {
  version: 'PublishedOnly' as const,
  refreshSources: false,
  parameters: undefined,
  space: undefined
}
const VENDOR_PHASES = [['wf1'], ['wf2', 'wf3', 'wf4'], ['wf5', 'wf6'], ['wf7']]
const fast: RunOptions = {
  maxParallel: 0,
  failFast: true,
  timeoutMs: undefined,
  pollIntervalMs: 20
}

function plan(
  phases: string[][],
  limits: Partial<{ maxDurationMs: number; minDurationMs: number }> = {}
): Plan {
  return buildPlan(
    phases,
    { maxDurationMs: limits.maxDurationMs, minDurationMs: limits.minDurationMs },
    execute
  )
}

function workflows(labels: string[], spec: FakeWorkflow): Record<string, FakeWorkflow> {
  return Object.fromEntries(labels.map(label => [label, { ...spec }]))
}

describe('runPlan', () => {
  it('runs the phases in order, the workflows of a phase together, and succeeds', async () => {
    const api = new FakeDataStudio(workflows(VENDOR_PHASES.flat(), { durationMs: 60 }))
    const run = await runPlan(plan(VENDOR_PHASES), api, fast)

    expect(run.result).toBe('success')
    expect(run.workflows.map(r => [r.phase, r.workflow, r.outcome])).toEqual([
      [1, 'wf1', 'success'],
      [2, 'wf2', 'success'],
      [2, 'wf3', 'success'],
      [2, 'wf4', 'success'],
      [3, 'wf5', 'success'],
      [3, 'wf6', 'success'],
      [4, 'wf7', 'success']
    ])
    // No job of phase k+1 was submitted before every job of phase k had ended.
    for (let k = 1; k < VENDOR_PHASES.length; k++) {
      const ended = Math.max(
        ...api.jobs.filter(j => VENDOR_PHASES[k - 1]!.includes(j.workflow)).map(j => j.ended!)
      )
      const next = Math.min(
        ...api.jobs.filter(j => VENDOR_PHASES[k]!.includes(j.workflow)).map(j => j.submitted)
      )
      expect(next).toBeGreaterThanOrEqual(ended)
    }
    expect(api.peakConcurrency()).toBe(3)
    for (const label of VENDOR_PHASES.flat()) expect(api.executions(label)).toBe(1)
    expect(new Set(run.workflows.map(r => r.jobId)).size).toBe(7)
  })

  it('keeps at most max-parallel jobs of a phase running and refills freed slots', async () => {
    const labels = Array.from({ length: 7 }, (_, i) => `w${i + 1}`)
    const api = new FakeDataStudio(workflows(labels, { durationMs: 40 }))
    const run = await runPlan(plan([labels]), api, { ...fast, maxParallel: 2 })

    expect(run.result).toBe('success')
    expect(api.peakConcurrency()).toBe(2)
    expect(api.calls.filter(c => c.kind === 'execute')).toHaveLength(7)
    // Submitted in plan order, as slots free up.
    expect(api.jobs.map(j => j.workflow)).toEqual(labels)
  })

  it('with fail-fast, skips the later phases after a failure and names the cause', async () => {
    const api = new FakeDataStudio({
      ...workflows(VENDOR_PHASES.flat(), { durationMs: 30 }),
      wf3: { durationMs: 30, state: 'FAILED', message: 'Validation rules failed' }
    })
    const run = await runPlan(plan(VENDOR_PHASES), api, fast)

    expect(run.result).toBe('failure')
    const byName = Object.fromEntries(run.workflows.map(r => [r.workflow, r]))
    expect(byName.wf3!.outcome).toBe('failed')
    expect(byName.wf3!.reason).toContain('Validation rules failed')
    // The failing phase's siblings ran to their end.
    expect(byName.wf2!.outcome).toBe('success')
    expect(byName.wf4!.outcome).toBe('success')
    for (const label of ['wf5', 'wf6', 'wf7']) {
      expect(byName[label]!.outcome).toBe('skipped')
      expect(byName[label]!.reason).toContain('phase 2 failed (wf3) and fail-fast is on')
      expect(api.executions(label)).toBe(0)
    }
    expect(run.phases.map(p => p.skipped === undefined)).toEqual([true, true, false, false])
  })

  it('without fail-fast, runs every phase and still fails the run', async () => {
    const api = new FakeDataStudio({
      ...workflows(VENDOR_PHASES.flat(), { durationMs: 30 }),
      wf3: { durationMs: 30, state: 'FAILED' }
    })
    const run = await runPlan(plan(VENDOR_PHASES), api, { ...fast, failFast: false })

    expect(run.result).toBe('failure')
    expect(run.workflows.filter(r => r.outcome !== 'success').map(r => r.workflow)).toEqual(['wf3'])
    for (const label of VENDOR_PHASES.flat()) expect(api.executions(label)).toBe(1)
  })

  it('cancels a job that outlives max-duration and reports it timed-out', async () => {
    const api = new FakeDataStudio({
      slow: { durationMs: 0, hang: true },
      quick: { durationMs: 20 }
    })
    const run = await runPlan(plan([['slow', 'quick']], { maxDurationMs: 150 }), api, fast)

    const [slow, quick] = run.workflows
    expect(slow!.outcome).toBe('timed-out')
    expect(slow!.reason).toMatch(
      /still RUNNING after max-duration 150ms; job 1001 cancelled in Data Studio/
    )
    expect(api.calls.filter(c => c.kind === 'cancel').map(c => c.jobId)).toEqual(['1001'])
    expect(quick!.outcome).toBe('success')
    expect(run.result).toBe('failure')
  })

  it('says so when the server cannot cancel a timed-out job', async () => {
    const api = new FakeDataStudio({ slow: { durationMs: 0, hang: true } })
    api.cancelSupported = false
    const run = await runPlan(plan([['slow']], { maxDurationMs: 60 }), api, fast)
    expect(run.workflows[0]!.reason).toContain('no cancel endpoint: stop job 1001 there by hand')
  })

  it('fails a workflow that completes sooner than min-duration', async () => {
    const api = new FakeDataStudio({ empty: { durationMs: 10 } })
    const run = await runPlan(plan([['empty']], { minDurationMs: 5_000 }), api, fast)
    expect(run.workflows[0]!.outcome).toBe('too-fast')
    expect(run.workflows[0]!.reason).toContain('sooner than min-duration 5.0s')
  })

  it('stops at the overall timeout: running jobs cancelled, the rest skipped', async () => {
    const api = new FakeDataStudio({ a: { durationMs: 0, hang: true }, b: { durationMs: 10 } })
    const run = await runPlan(plan([['a'], ['b']]), api, {
      ...fast,
      failFast: false,
      timeoutMs: 120
    })

    expect(run.result).toBe('failure')
    expect(run.workflows[0]!.outcome).toBe('timed-out')
    expect(run.workflows[0]!.reason).toContain("the run's timeout (120ms) passed")
    expect(run.workflows[1]!.outcome).toBe('skipped')
    expect(api.executions('b')).toBe(0)
    expect(api.calls.filter(c => c.kind === 'cancel')).toHaveLength(1)
  })

  it('on cancellation, cancels the running jobs and reports the run cancelled', async () => {
    const api = new FakeDataStudio({ a: { durationMs: 0, hang: true }, b: { durationMs: 10 } })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 80)
    const run = await runPlan(plan([['a'], ['b']]), api, { ...fast, signal: controller.signal })

    expect(run.result).toBe('cancelled')
    expect(run.workflows.map(r => r.outcome)).toEqual(['cancelled', 'skipped'])
    expect(api.calls.filter(c => c.kind === 'cancel').map(c => c.jobId)).toEqual(['1001'])
  })

  it('stops starting workflows once the key is refused, whatever fail-fast says', async () => {
    const refused = new ApiError('Data Studio refused the API key (401)', 'auth', true, 401)
    const api = new FakeDataStudio({
      a: { durationMs: 10, executeError: refused },
      b: { durationMs: 10 }
    })
    const run = await runPlan(plan([['a'], ['b']]), api, { ...fast, failFast: false })

    expect(run.workflows[0]!.outcome).toBe('failed')
    expect(run.workflows[0]!.reason).toContain('refused the API key')
    expect(run.workflows[1]!.outcome).toBe('skipped')
    expect(run.workflows[1]!.reason).toContain('refused the API key')
  })

  it('fails a workflow the server does not know, and goes on with its siblings', async () => {
    const api = new FakeDataStudio({ known: { durationMs: 10 } })
    const run = await runPlan(plan([['known', 'typo']]), api, fast)
    expect(run.workflows.map(r => r.outcome)).toEqual(['success', 'failed'])
    expect(run.workflows[1]!.jobId).toBeUndefined()
  })

  it('reports state changes and step changes once each, not once per poll', async () => {
    const api = new FakeDataStudio({
      wf: {
        durationMs: 150,
        runningState: 'PAUSED',
        steps: [{ name: 'Load customers', rowCount: 1200 }]
      }
    })
    const states: string[] = []
    const steps: Step[] = []
    const notices: string[] = []
    const observer: RunObserver = {
      jobStateChanged: (_w, job: JobStatus) => states.push(job.state),
      stepChanged: (_w, step) => steps.push(step),
      notice: (_w, message) => notices.push(message)
    }
    const run = await runPlan(plan([['wf']]), api, fast, observer)

    expect(api.calls.filter(c => c.kind === 'status').length).toBeGreaterThan(3)
    expect(states).toEqual(['PAUSED', 'COMPLETED'])
    expect(steps.map(s => `${s.state} ${s.counters.rowCount}`)).toEqual([
      'RUNNING 0',
      'COMPLETED 1200'
    ])
    expect(notices).toHaveLength(1)
    expect(notices[0]).toContain("'PAUSED', which the action does not know")
    expect(run.workflows[0]!.steps).toEqual([
      { name: 'Load customers', state: 'COMPLETED', counters: { rowCount: 1200 } }
    ])
  })

  it('logs a running step whose counters grow at most every stepProgressEveryMs', async () => {
    const spec = {
      durationMs: 200,
      growingCounters: true,
      steps: [{ name: 'Load customers', rowCount: 1200 }]
    }
    const logged = async (stepProgressEveryMs?: number): Promise<string[]> => {
      const steps: string[] = []
      const api = new FakeDataStudio({ wf: spec })
      await runPlan(
        plan([['wf']]),
        api,
        { ...fast, ...(stepProgressEveryMs === undefined ? {} : { stepProgressEveryMs }) },
        { stepChanged: (_w, step) => steps.push(step.state) }
      )
      expect(api.calls.filter(c => c.kind === 'status').length).toBeGreaterThan(4)
      return steps
    }
    // By default (30 s) only its state changes: first seen running, then completed.
    expect(await logged()).toEqual(['RUNNING', 'COMPLETED'])
    // With no spacing, every check that grew the counters.
    expect((await logged(0)).length).toBeGreaterThan(3)
  })

  it('marks a job timed-out and cancels it when max-duration passes during an outage', async () => {
    const api = new FakeDataStudio({ wf: { durationMs: 0, hang: true, statusDown: true } })
    const run = await runPlan(plan([['wf']], { maxDurationMs: 150 }), api, fast)

    expect(run.workflows[0]!.outcome).toBe('timed-out')
    expect(run.workflows[0]!.reason).toContain('max-duration 150ms passed while its status')
    expect(run.workflows[0]!.reason).toContain('job 1001 cancelled in Data Studio')
    expect(api.calls.filter(c => c.kind === 'cancel').map(c => c.jobId)).toEqual(['1001'])
  })

  it('reports the state the cancel answered with, not the last one polled', async () => {
    const api = new FakeDataStudio({ wf: { durationMs: 0, hang: true } })
    const run = await runPlan(plan([['wf']], { maxDurationMs: 100 }), api, fast)
    expect(run.workflows[0]!.state).toBe('CANCELLED')
  })

  it('keeps a job’s start and end on the server clock when the server gives no end', async () => {
    const api = new FakeDataStudio({ wf: { durationMs: 0, hang: true } })
    api.clockOffsetMs = 3_600_000 // the server runs an hour ahead
    api.cancelSupported = false // so the last answer, RUNNING, has no finishedAt
    const run = await runPlan(plan([['wf']], { maxDurationMs: 100 }), api, fast)

    const result = run.workflows[0]!
    expect(result.outcome).toBe('timed-out')
    expect(result.finishedAt!.getTime() - result.startedAt!.getTime()).toBe(result.durationMs)
    expect(result.finishedAt!.getTime()).toBeGreaterThan(Date.now() + 3_000_000)
  })

  it('calls a run whose cancel came after every workflow succeeded a success', async () => {
    const api = new FakeDataStudio({ wf: { durationMs: 10 } })
    const controller = new AbortController()
    const run = await runPlan(
      plan([['wf']]),
      api,
      { ...fast, signal: controller.signal },
      {
        workflowFinished: () => controller.abort()
      }
    )
    expect(run.result).toBe('success')
  })
})

describe('starting each workflow exactly once', () => {
  it('sends no execute once the run is cancelled while a resend waits', async () => {
    const api = new FakeDataStudio({ wf: { durationMs: 30, rejectFirst: 1 } })
    const controller = new AbortController()
    // A long backoff: the cancel arrives while the resend is waiting.
    const retryPolicy = { budgetMs: 60_000, baseDelayMs: 5_000, maxDelayMs: 5_000 }
    const run = await runPlan(
      plan([['wf']]),
      api,
      { ...fast, retryPolicy, random: () => 1, signal: controller.signal },
      { notice: () => controller.abort() }
    )

    expect(api.calls.map(c => c.kind)).toEqual(['execute', 'list'])
    expect(api.jobs).toHaveLength(0)
    expect(run.result).toBe('cancelled')
    expect(run.workflows[0]!.outcome).toBe('skipped')
    expect(run.workflows[0]!.reason).toBe('not started: the run was cancelled')
  })

  it('looks at the job list before resending an execute refused with 429', async () => {
    const api = new FakeDataStudio({ wf: { durationMs: 30, rateLimitFirst: 1 } })
    const run = await runPlan(plan([['wf']]), api, fast)

    expect(run.workflows[0]!.outcome).toBe('success')
    expect(api.calls.map(c => c.kind).slice(0, 3)).toEqual(['execute', 'list', 'execute'])
    expect(api.jobs).toHaveLength(1)
  })

  it('adopts the job when the server accepted the execute but named no job', async () => {
    const api = new FakeDataStudio({ wf: { durationMs: 30, garbleAnswers: 1 } })
    const run = await runPlan(plan([['wf']]), api, fast)

    expect(run.workflows[0]!.outcome).toBe('success')
    expect(run.workflows[0]!.jobId).toBe('1001')
    expect(api.executions('wf')).toBe(1)
  })

  it('never resends when the job list shows jobs without a submission time', async () => {
    const api = new FakeDataStudio({ wf: { durationMs: 30, loseAnswers: 1, listUndated: true } })
    const run = await runPlan(plan([['wf']]), api, fast)

    expect(run.workflows[0]!.outcome).toBe('failed')
    expect(run.workflows[0]!.reason).toContain('without a submission time or an id')
    expect(run.workflows[0]!.reason).toContain('may have started in Data Studio')
    expect(api.executions('wf')).toBe(1)
  })

  it.each([
    ['behind', -10 * 60_000],
    ['ahead', 10 * 60_000]
  ])('reads the job list by the server clock when it runs %s of ours', async (_where, offsetMs) => {
    const api = new FakeDataStudio({ wf: { durationMs: 30, loseAnswers: 1 } })
    api.clockOffsetMs = offsetMs
    const run = await runPlan(plan([['wf']]), api, fast)

    expect(run.workflows[0]!.outcome).toBe('success')
    expect(api.executions('wf')).toBe(1)
    expect(api.jobs).toHaveLength(1)
  })

  it('adopts the job a lost execute answer started, found in the job list', async () => {
    const api = new FakeDataStudio({ wf: { durationMs: 30, loseAnswers: 1 } })
    const notices: string[] = []
    const run = await runPlan(plan([['wf']]), api, fast, { notice: (_w, m) => notices.push(m) })

    expect(run.workflows[0]!.outcome).toBe('success')
    expect(run.workflows[0]!.jobId).toBe('1001')
    expect(api.executions('wf')).toBe(1)
    expect(api.jobs).toHaveLength(1)
    expect(notices[0]).toContain(
      'the job list shows job 1001, submitted since the request: following it'
    )
  })

  it('sends the request again only when the job list answers and shows no job', async () => {
    const api = new FakeDataStudio({ wf: { durationMs: 30, rejectFirst: 1 } })
    const notices: string[] = []
    const run = await runPlan(plan([['wf']]), api, fast, { notice: (_w, m) => notices.push(m) })

    expect(run.workflows[0]!.outcome).toBe('success')
    expect(api.calls.map(c => c.kind).slice(0, 3)).toEqual(['execute', 'list', 'execute'])
    expect(api.jobs).toHaveLength(1)
    expect(notices[0]).toContain('so it is sent again (attempt 2)')
  })

  it('fails, saying it may have started, when the job list cannot be read', async () => {
    const api = new FakeDataStudio({ wf: { durationMs: 30, loseAnswers: 1, listFails: true } })
    const run = await runPlan(plan([['wf']]), api, fast)

    expect(run.workflows[0]!.outcome).toBe('failed')
    expect(run.workflows[0]!.reason).toContain('the job list could not be read')
    expect(run.workflows[0]!.reason).toContain('may have started in Data Studio')
    expect(api.executions('wf')).toBe(1)
  })

  it('keeps resending within the retry budget, then gives up having started nothing', async () => {
    const api = new FakeDataStudio({ wf: { durationMs: 30, rejectFirst: 1000 } })
    const retryPolicy = { budgetMs: 200, baseDelayMs: 5, maxDelayMs: 20 }
    const run = await runPlan(plan([['wf']]), api, { ...fast, retryPolicy })

    expect(run.workflows[0]!.outcome).toBe('failed')
    expect(run.workflows[0]!.reason).toMatch(/after \d+ execute requests whose answers were lost/)
    expect(api.executions('wf')).toBeGreaterThan(2)
    // Each resend came after a look at the job list.
    const kinds = api.calls.map(c => c.kind)
    expect(kinds.filter(k => k === 'list').length).toBe(api.executions('wf'))
    expect(api.jobs).toHaveLength(0)
  })
})

describe('cancel-on-failure', () => {
  it('with fail-fast, cancels the failing phase siblings instead of waiting for them', async () => {
    const api = new FakeDataStudio({
      bad: { durationMs: 30, state: 'FAILED' },
      slow: { durationMs: 0, hang: true },
      queued: { durationMs: 10 },
      later: { durationMs: 10 }
    })
    const run = await runPlan(plan([['bad', 'slow', 'queued'], ['later']]), api, {
      ...fast,
      maxParallel: 2,
      cancelOnFailure: true
    })

    expect(run.workflows.map(r => [r.workflow, r.outcome])).toEqual([
      ['bad', 'failed'],
      ['slow', 'cancelled'],
      ['queued', 'skipped'],
      ['later', 'skipped']
    ])
    expect(run.workflows[1]!.reason).toContain(
      'stopped because bad failed and cancel-on-failure is on'
    )
    expect(run.workflows[1]!.stillRunning).toBe(false)
    expect(api.calls.filter(c => c.kind === 'cancel')).toHaveLength(1)
    expect(api.executions('queued')).toBe(0)
    expect(run.result).toBe('failure')
  })

  it('does nothing without fail-fast: the siblings run to their end', async () => {
    const api = new FakeDataStudio({
      bad: { durationMs: 10, state: 'FAILED' },
      ok: { durationMs: 80 }
    })
    const run = await runPlan(plan([['bad', 'ok']]), api, {
      ...fast,
      failFast: false,
      cancelOnFailure: true
    })
    expect(run.workflows.map(r => r.outcome)).toEqual(['failed', 'success'])
    expect(api.calls.filter(c => c.kind === 'cancel')).toHaveLength(0)
  })

  it('marks a job that could not be cancelled as possibly still running', async () => {
    const api = new FakeDataStudio({ slow: { durationMs: 0, hang: true } })
    api.cancelSupported = false
    const run = await runPlan(plan([['slow']], { maxDurationMs: 50 }), api, fast)
    expect(run.workflows[0]!.stillRunning).toBe(true)
  })
})
