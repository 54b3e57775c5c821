/**
 * A simulated job's life, computed from the clock: nothing ticks. Given when the job was
 * submitted (and cancelled, if it was) and what its workflow does, `snapshotJob` says what the
 * server would answer at any instant. Being a pure function of time keeps the simulator free of
 * per-job timers and makes its behaviour easy to test.
 */
import { JobState, type WireJob, type WireStep } from '../contract.js'
import type { WorkflowSpec } from './scenario.js'

export interface SimJob {
  jobId: string
  workflow: string
  spec: WorkflowSpec
  submittedMs: number
  /** Set when a cancel request arrived before the job ended. */
  cancelledMs: number | undefined
}

/** When the job ends on its own; Infinity when it never does. */
export function naturalEndMs(job: SimJob): number {
  if (job.spec.hang) return Infinity
  return job.submittedMs + job.spec.queuedMs + job.spec.durationMs
}

/** When the job ends, on its own or by cancellation; Infinity when it never does. */
export function endMs(job: SimJob): number {
  const natural = naturalEndMs(job)
  return job.cancelledMs !== undefined && job.cancelledMs < natural ? job.cancelledMs : natural
}

export function hasEnded(job: SimJob, nowMs: number): boolean {
  return nowMs >= endMs(job)
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

function scaledCounters(counters: Record<string, number>, fraction: number): WireStep {
  const step: WireStep = { name: '', state: '' }
  for (const [name, final] of Object.entries(counters)) step[name] = Math.round(final * fraction)
  return step
}

/**
 * Steps at an instant. The running time is shared among the steps that run (all of them, or
 * up to the failing one: the steps after a failure never start), in proportion to their shares.
 * `progress` is the fraction of the running time that has passed (0 to 1).
 */
function snapshotSteps(
  job: SimJob,
  progress: number,
  started: boolean,
  ending: 'natural' | 'cancelled' | undefined
): WireStep[] {
  const { spec } = job
  const lastToRun = spec.failingStep ?? spec.steps.length - 1
  const totalShare = spec.steps.slice(0, lastToRun + 1).reduce((sum, step) => sum + step.share, 0)
  let from = 0
  return spec.steps.map((step, index) => {
    const share = index <= lastToRun ? step.share / totalShare : 0
    // The last step to run ends exactly at 1, whatever rounding the shares left behind.
    const to = index === lastToRun ? 1 : from + share
    const begin = from
    from = to
    const wire = (state: string, fraction: number): WireStep => ({
      ...scaledCounters(step.counters, fraction),
      name: step.name,
      state
    })
    if (!started || index > lastToRun || progress < begin) return wire(JobState.Queued, 0)
    // A hanging job never lets its last step finish, even once its duration has passed.
    const done = progress >= to && (index < lastToRun || ending === 'natural')
    if (done) {
      const failedHere = index === spec.failingStep && spec.outcome !== JobState.Completed
      return wire(failedHere ? spec.outcome : JobState.Completed, 1)
    }
    const fraction = Math.min(1, Math.max(0, (progress - begin) / (to - begin)))
    return wire(ending === 'cancelled' ? JobState.Cancelled : JobState.Running, fraction)
  })
}

/** The job as the server answers it at `nowMs`. */
export function snapshotJob(job: SimJob, nowMs: number): WireJob {
  const { spec } = job
  const startMs = job.submittedMs + spec.queuedMs
  const end = endMs(job)
  const ended = nowMs >= end
  const cancelled = ended && job.cancelledMs !== undefined && end === job.cancelledMs
  // Progress stops when the job ends: a cancelled job keeps the counters it had then.
  const effectiveNow = Math.min(nowMs, end)
  const started = effectiveNow >= startMs
  const elapsed = Math.max(0, effectiveNow - startMs)
  let progress: number
  if (spec.durationMs === Infinity) progress = 0
  else if (spec.durationMs === 0) progress = started ? 1 : 0
  else progress = Math.min(1, elapsed / spec.durationMs)

  let state: string
  if (ended) state = cancelled ? JobState.Cancelled : spec.outcome
  else if (isInUnknownState(job, nowMs)) state = spec.unknownState?.state ?? JobState.Running
  else state = started ? JobState.Running : JobState.Queued

  let message: string | null = null
  if (ended) message = cancelled ? 'Cancelled by an API request' : spec.message

  return {
    jobId: job.jobId,
    workflowExternalLabel: job.workflow,
    state,
    submittedAt: iso(job.submittedMs),
    startedAt: started ? iso(startMs) : null,
    finishedAt: ended ? iso(end) : null,
    message,
    steps: snapshotSteps(
      job,
      progress,
      started,
      ended ? (cancelled ? 'cancelled' : 'natural') : undefined
    )
  }
}

function isInUnknownState(job: SimJob, nowMs: number): boolean {
  const unknown = job.spec.unknownState
  if (unknown === undefined) return false
  const from = job.submittedMs + unknown.afterMs
  return nowMs >= from && nowMs < from + unknown.forMs
}
