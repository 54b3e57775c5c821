/**
 * The outcome rules. Data Studio's guidance: a FAILED job is a failure; a COMPLETED one still has
 * to pass the caller's other checks — here its duration — because a run that ends much sooner or
 * later than expected is a problem too (an empty source finishes fast; a stuck one never ends).
 */
import type { JobStatus, Step } from './contract.js'
import { formatDuration } from './duration.js'
import type { DurationLimits } from './plan.js'

export type Outcome = 'success' | 'failed' | 'timed-out' | 'too-fast' | 'cancelled' | 'skipped'

export interface Verdict {
  outcome: Outcome
  reason: string | undefined
}

/** How long the job ran: the server's own start and end when it reports them. */
export function jobDurationMs(
  job: JobStatus,
  submittedLocally: number,
  endSeenLocally: number
): number {
  const start = job.startedAt ?? job.submittedAt
  if (start !== undefined && job.finishedAt !== undefined) {
    const ms = job.finishedAt.getTime() - start.getTime()
    if (ms >= 0) return ms
  }
  return endSeenLocally - submittedLocally
}

/** The verdict on a job that has ended on its own (not cancelled by us). */
export function judgeEndedJob(job: JobStatus, durationMs: number, limits: DurationLimits): Verdict {
  if (job.stateClass === 'failed') {
    if (job.state === 'CANCELLED') {
      return {
        outcome: 'cancelled',
        reason: `cancelled in Data Studio${job.message === undefined ? '' : `: ${job.message}`}`
      }
    }
    const step = job.steps.find(s => s.state === 'FAILED')
    // Named once: Data Studio's own message often names the step already.
    const where =
      step === undefined || job.message?.includes(step.name) === true
        ? ''
        : ` in step '${step.name}'`
    return {
      outcome: 'failed',
      reason: `Data Studio reported ${job.state}${where}${job.message === undefined ? '' : `: ${job.message}`}`
    }
  }
  if (limits.maxDurationMs !== undefined && durationMs > limits.maxDurationMs) {
    return {
      outcome: 'timed-out',
      reason: `completed in ${formatDuration(durationMs)}, longer than max-duration ${formatDuration(limits.maxDurationMs)}`
    }
  }
  if (limits.minDurationMs !== undefined && durationMs < limits.minDurationMs) {
    return {
      outcome: 'too-fast',
      reason:
        `completed in ${formatDuration(durationMs)}, sooner than min-duration ` +
        `${formatDuration(limits.minDurationMs)}: check that its sources were not empty`
    }
  }
  return { outcome: 'success', reason: undefined }
}

/** The one line naming every workflow that did not succeed, for core.setFailed. */
export function failureLine(failed: { workflow: string; outcome: Outcome }[]): string {
  const bad = failed.filter(r => r.outcome !== 'success' && r.outcome !== 'skipped')
  const skipped = failed.filter(r => r.outcome === 'skipped')
  const parts: string[] = []
  if (bad.length > 0) {
    const names = bad.map(r => `${r.workflow} (${r.outcome})`).join(', ')
    parts.push(`${bad.length} workflow${bad.length === 1 ? '' : 's'} did not succeed: ${names}`)
  }
  if (skipped.length > 0) {
    parts.push(`${skipped.length} not started: ${skipped.map(r => r.workflow).join(', ')}`)
  }
  return parts.join('; ')
}

/** A compact rendering of a step's counters: `rowCount 120,000, failedRowCount 312`. */
export function formatCounters(step: Step): string {
  return Object.entries(step.counters)
    .map(([name, value]) => `${name} ${value.toLocaleString('en-US')}`)
    .join(', ')
}
