/**
 * The simulator's record of what happened, and pure helpers that answer the questions a
 * rehearsal asks of it: how often was each workflow started, how many jobs ran at once, and did
 * the phases run one after another.
 */
import type { Route } from '../contract.js'

export type RouteKind = Route['kind'] | 'unknown'

/** One request the API received (the simulator's own /_sim endpoints are not logged). */
export interface RequestLogEntry {
  /** When the request arrived, ISO 8601. */
  time: string
  /** When the request arrived, in ms since the server started listening. */
  sinceStartMs: number
  method: string
  /** Path and query, as the client sent them. */
  path: string
  /** The status answered, or "dropped" when the connection was destroyed without an answer. */
  status: number | 'dropped'
  durationMs: number
  route: RouteKind
  /** The fault that decided the answer, if one did. */
  fault?: 'downtime' | 'drop' | 'rate-limit' | 'error' | 'accept-then-drop'
  workflow?: string
  jobId?: string
}

/** A job's lifecycle, as /_sim/stats reports it. */
export interface SimStatsJob {
  jobId: string
  workflow: string
  submittedAt: string
  startedAt: string | null
  /** When it finished, failed or was cancelled; null while it has not ended. */
  endedAt: string | null
  state: string
}

export interface SimStats {
  /** Jobs created per workflow label (an execute whose answer was dropped still counts). */
  executions: Record<string, number>
  jobs: SimStatsJob[]
  /** The most jobs that had been submitted and had not ended at any one instant. */
  peakRunning: number
}

/** What the analysis helpers need of a job: when it was submitted and when it ended. */
export type JobInterval = Pick<SimStatsJob, 'jobId' | 'workflow' | 'submittedAt' | 'endedAt'>

function ms(iso: string): number {
  return new Date(iso).getTime()
}

/**
 * The most jobs alive at one instant, each occupying [submittedAt, endedAt) — a job that ends
 * exactly when another is submitted does not overlap it. A job not ended occupies for ever.
 */
export function peakConcurrency(jobs: readonly JobInterval[]): number {
  const events: Array<{ at: number; delta: 1 | -1 }> = []
  for (const job of jobs) {
    events.push({ at: ms(job.submittedAt), delta: 1 })
    if (job.endedAt !== null) events.push({ at: ms(job.endedAt), delta: -1 })
  }
  // Ends before starts at the same instant: that is what half-open intervals mean.
  events.sort((a, b) => a.at - b.at || a.delta - b.delta)
  let alive = 0
  let peak = 0
  for (const event of events) {
    alive += event.delta
    peak = Math.max(peak, alive)
  }
  return peak
}

/** Jobs created per workflow, read from the request log (executes that created a job). */
export function executionsPerWorkflow(log: readonly RequestLogEntry[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const entry of log) {
    if (entry.route !== 'execute' || entry.jobId === undefined || entry.workflow === undefined) {
      continue
    }
    counts[entry.workflow] = (counts[entry.workflow] ?? 0) + 1
  }
  return counts
}

export interface PhaseOrderResult {
  ok: boolean
  /** One sentence per broken rule, naming the jobs involved. */
  violations: string[]
}

/**
 * Whether the jobs ran phase after phase: no job of phase k+1 was submitted before every job of
 * phase k had ended. A phase that started while an earlier phase's workflow had no job at all is
 * a violation too (that workflow was skipped); later phases with no jobs are not (a run may stop
 * after a failure). Jobs of workflows outside the plan are ignored.
 */
export function phasesOrdered(
  jobs: readonly JobInterval[],
  phases: readonly (readonly string[])[]
): PhaseOrderResult {
  const violations: string[] = []
  const jobsOf = (phase: readonly string[]): JobInterval[] =>
    jobs.filter(job => phase.includes(job.workflow))
  for (let k = 0; k + 1 < phases.length; k++) {
    const earlier = phases[k] ?? []
    const later = jobsOf(phases[k + 1] ?? [])
    if (later.length === 0) continue
    const firstLater = later.reduce((a, b) => (ms(b.submittedAt) < ms(a.submittedAt) ? b : a))
    for (const workflow of earlier) {
      if (!jobs.some(job => job.workflow === workflow)) {
        violations.push(
          `phase ${k + 2} started (job ${firstLater.jobId} of ${firstLater.workflow}) but ${workflow} of phase ${k + 1} never ran`
        )
      }
    }
    for (const before of jobsOf(earlier)) {
      if (before.endedAt === null) {
        violations.push(
          `job ${firstLater.jobId} of ${firstLater.workflow} (phase ${k + 2}) was submitted while job ${before.jobId} of ${before.workflow} (phase ${k + 1}) had not ended`
        )
        continue
      }
      for (const after of later) {
        if (ms(after.submittedAt) < ms(before.endedAt)) {
          violations.push(
            `job ${after.jobId} of ${after.workflow} (phase ${k + 2}) was submitted at ${after.submittedAt}, before job ${before.jobId} of ${before.workflow} (phase ${k + 1}) ended at ${before.endedAt}`
          )
        }
      }
    }
  }
  return { ok: violations.length === 0, violations }
}
