/**
 * Following one job: poll it on the adaptive schedule until it ends, report each state and step
 * change, judge how it ended (duration limits, step checks), and cancel it in Data Studio when
 * the run, the phase or max-duration says so.
 */
import { JobState, type JobStatus } from './contract.js'
import { formatDuration } from './duration.js'
import { getErrorMessage } from './errors.js'
import { judgeEndedJob, jobDurationMs, type Outcome, type Verdict } from './outcome.js'
import type { PlannedWorkflow } from './plan.js'
import { nextPollDelay } from './polling.js'
import { sleep } from './retry.js'
import type { FollowContext, Scope, StopReason, WorkflowResult } from './runner.js'
import { judgeStepChecks, type CheckResult } from './stepchecks.js'

export function followJob(
  workflow: PlannedWorkflow,
  jobId: string,
  ctx: FollowContext,
  scope: Scope
): Promise<WorkflowResult> {
  return new JobFollower(workflow, jobId, ctx, scope).follow()
}

/**
 * How often a running step's growing row counters are worth a line of their own. A step's state
 * changes are always logged; its counters change on nearly every check, and a line per check would
 * bury the log of an hour-long step under hundreds of lines.
 */
export const STEP_PROGRESS_EVERY_MS = 30_000

/** What was last logged of one step. */
interface LoggedStep {
  state: string
  counters: string
  atMs: number
}

/** Follows one job from submission to its end, reporting what changes. */
class JobFollower {
  private readonly submitted = Date.now()
  private last: JobStatus | undefined
  private readonly loggedSteps = new Map<string, LoggedStep>()
  private unknownStatesSeen = new Set<string>()

  constructor(
    private readonly workflow: PlannedWorkflow,
    private readonly jobId: string,
    private readonly ctx: FollowContext,
    private readonly scope: Scope
  ) {}

  async follow(): Promise<WorkflowResult> {
    const maxDeadline =
      this.workflow.maxDurationMs === undefined
        ? Infinity
        : this.submitted + this.workflow.maxDurationMs
    // Checks are spaced from the start of the previous one, so a slow answer does not stretch
    // the gap between two looks at the job past poll-interval.
    let lastCheck = this.submitted
    for (;;) {
      const now = Date.now()
      const due =
        lastCheck + nextPollDelay(now - this.submitted, this.ctx.schedule, this.ctx.options.random)
      await sleep(Math.min(due, maxDeadline) - now, this.scope.signal)
      lastCheck = Date.now()
      const stop = this.scope.stopReason
      if (stop !== undefined) return this.stopped(stop)
      let job: JobStatus
      try {
        // Retries stop at max-duration: an outage must not hold the job past its limit.
        job = await this.ctx.api.getJob(this.jobId, this.scope.signal, maxDeadline)
      } catch (error) {
        const stopNow = this.scope.stopReason
        if (stopNow !== undefined) return this.stopped(stopNow)
        if (Date.now() >= maxDeadline) {
          return this.cancelAndReport(
            'timed-out',
            `max-duration ${formatDuration(this.workflow.maxDurationMs ?? 0)} passed while its ` +
              `status could not be read (${getErrorMessage(error)})`
          )
        }
        return this.result(
          {
            outcome: 'failed',
            reason:
              `lost track of job ${this.jobId}: ${getErrorMessage(error)} ` +
              'It may still be running in Data Studio.'
          },
          Date.now(),
          undefined,
          true
        )
      }
      this.report(job)
      if (job.stateClass !== 'active') {
        const end = Date.now()
        const duration = jobDurationMs(job, this.submitted, end)
        const verdict = judgeEndedJob(job, duration, this.workflow)
        if (job.state !== JobState.Completed || this.workflow.checks.length === 0) {
          return this.result(verdict, end, duration)
        }
        // Only a COMPLETED job has step results worth checking; a failed check fails it.
        const checks = judgeStepChecks(this.workflow.checks, job.steps)
        const failed = checks.results.filter(r => !r.passed).map(r => r.description)
        const checked: Verdict =
          verdict.outcome === 'success' && failed.length > 0
            ? { outcome: 'failed', reason: `step checks failed: ${failed.join('; ')}` }
            : verdict
        return this.result(checked, end, duration, false, checks.results)
      }
      if (Date.now() >= maxDeadline) {
        const limit = formatDuration(this.workflow.maxDurationMs ?? 0)
        return this.cancelAndReport('timed-out', `still ${job.state} after max-duration ${limit}`)
      }
    }
  }

  private async stopped(reason: StopReason): Promise<WorkflowResult> {
    switch (reason.kind) {
      case 'cancelled':
        return this.cancelAndReport('cancelled', 'the run was cancelled')
      case 'sibling-failed':
        return this.cancelAndReport('cancelled', `stopped because ${reason.text}`)
      case 'timeout':
        return this.cancelAndReport('timed-out', `still running when ${reason.text}`)
    }
  }

  private async cancelAndReport(outcome: Outcome, why: string): Promise<WorkflowResult> {
    let cancelled: string
    let stillRunning = true
    try {
      const answer = await this.ctx.api.cancel(this.jobId)
      if (answer.supported) {
        cancelled = `job ${this.jobId} cancelled in Data Studio`
        stillRunning = false
        // The job as the cancel left it, so the results do not show a stale RUNNING.
        if (answer.job !== undefined) this.report(answer.job)
      } else {
        cancelled = `this Data Studio has no cancel endpoint: stop job ${this.jobId} there by hand`
      }
    } catch (error) {
      cancelled = `could not cancel job ${this.jobId} (${getErrorMessage(error)}): stop it in Data Studio by hand`
    }
    const end = Date.now()
    return this.result(
      { outcome, reason: `${why}; ${cancelled}` },
      end,
      end - this.submitted,
      stillRunning
    )
  }

  private result(
    verdict: Verdict,
    end: number,
    durationMs?: number,
    stillRunning = false,
    checks: CheckResult[] = []
  ): WorkflowResult {
    const job = this.last
    const duration = durationMs ?? end - this.submitted
    const serverStart = job?.startedAt ?? job?.submittedAt
    // Both ends on one clock: when the server gave a start but no end, the end is the start plus
    // the duration, not the runner's clock, which may differ from the server's.
    const startedAt = serverStart ?? new Date(this.submitted)
    const finishedAt =
      job?.finishedAt ??
      (serverStart === undefined ? new Date(end) : new Date(serverStart.getTime() + duration))
    return {
      phase: this.workflow.phase,
      workflow: this.workflow.workflow,
      maxDurationMs: this.workflow.maxDurationMs,
      minDurationMs: this.workflow.minDurationMs,
      jobId: this.jobId,
      state: job?.state,
      outcome: verdict.outcome,
      reason: verdict.reason,
      startedAt,
      finishedAt,
      durationMs: duration,
      steps: job?.steps ?? [],
      stillRunning,
      checks,
      failureKind: undefined
    }
  }

  /**
   * One notice per state change of the job and of each step, never one per poll; a running
   * step's growing counters at most every STEP_PROGRESS_EVERY_MS.
   */
  private report(job: JobStatus): void {
    const elapsed = Date.now() - this.submitted
    if (job.state !== this.last?.state) {
      if (job.unknownState && !this.unknownStatesSeen.has(job.state)) {
        this.unknownStatesSeen.add(job.state)
        this.ctx.observer.notice?.(
          this.workflow,
          `job ${this.jobId} reports state '${job.state}', which the action does not know; ` +
            'it is treated as still running, bounded by max-duration and timeout'
        )
      }
      this.ctx.observer.jobStateChanged?.(this.workflow, job, elapsed)
    }
    const progressEveryMs = this.ctx.options.stepProgressEveryMs ?? STEP_PROGRESS_EVERY_MS
    for (const [index, step] of job.steps.entries()) {
      const key = `${index}:${step.name}`
      const counters = JSON.stringify(step.counters)
      const logged = this.loggedSteps.get(key)
      const worthALine =
        logged === undefined ||
        logged.state !== step.state ||
        (logged.counters !== counters && elapsed - logged.atMs >= progressEveryMs)
      if (worthALine) {
        this.loggedSteps.set(key, { state: step.state, counters, atMs: elapsed })
        this.ctx.observer.stepChanged?.(this.workflow, step, elapsed)
      }
    }
    this.last = job
  }
}
