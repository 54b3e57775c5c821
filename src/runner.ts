/**
 * Runs a plan: the phases one after another, the workflows of a phase in parallel (at most
 * max-parallel at once, a freed slot refilled at once), each job followed until it ends. It knows
 * nothing of GitHub: what happens is told to a RunObserver, and the result is plain data.
 */
import { ApiError, type DataStudioApi, type FailureKind } from './client.js'
import type { JobStatus, Step } from './contract.js'
import { formatDuration } from './duration.js'
import { getErrorMessage } from './errors.js'
import { followJob } from './follow.js'
import type { Outcome } from './outcome.js'
import type { DurationLimits, Plan, PlannedWorkflow } from './plan.js'
import { pollSchedule, type PollSchedule } from './polling.js'
import type { RetryPolicy } from './retry.js'
import type { CheckResult } from './stepchecks.js'
import { StoppedBeforeStart, submitWorkflow } from './submit.js'

export interface WorkflowResult extends DurationLimits {
  phase: number
  workflow: string
  jobId: string | undefined
  /** The last state Data Studio reported. */
  state: string | undefined
  outcome: Outcome
  reason: string | undefined
  startedAt: Date | undefined
  finishedAt: Date | undefined
  durationMs: number | undefined
  steps: Step[]
  /** True when the job may still be running in Data Studio (it could not be cancelled, or was lost track of). */
  stillRunning: boolean
  /** The plan's checks on the step results, judged when the job COMPLETED. */
  checks: CheckResult[]
  /** What kind of failure stopped the workflow before it had a job, if one did. */
  failureKind: FailureKind | undefined
}

export interface PhaseResult {
  phase: number
  /** Why the phase did not run; undefined when it ran. */
  skipped: string | undefined
  workflows: WorkflowResult[]
}

export type RunVerdict = 'success' | 'failure' | 'cancelled'

export interface RunResult {
  result: RunVerdict
  /** The failure that stopped the run from starting more workflows (a refused key, say). */
  stoppedBy: FailureKind | undefined
  phases: PhaseResult[]
  /** Every workflow in plan order. */
  workflows: WorkflowResult[]
  startedAt: Date
  finishedAt: Date
  durationMs: number
}

/** Everything the runner has to say while it works; every method is optional. */
export interface RunObserver {
  phaseStarted?(phase: number, workflows: PlannedWorkflow[]): void
  phaseFinished?(phase: PhaseResult): void
  phaseSkipped?(phase: PhaseResult): void
  jobSubmitted?(workflow: PlannedWorkflow, jobId: string): void
  jobStateChanged?(workflow: PlannedWorkflow, job: JobStatus, elapsedMs: number): void
  stepChanged?(workflow: PlannedWorkflow, step: Step, elapsedMs: number): void
  /** Something a person should know that does not end the workflow. */
  notice?(workflow: PlannedWorkflow, message: string): void
  workflowFinished?(result: WorkflowResult): void
}

export interface RunOptions {
  /** At most this many jobs of one phase at once; 0 = all. */
  maxParallel: number
  failFast: boolean
  /** With fail-fast, a failure also cancels the rest of its phase instead of waiting for it. */
  cancelOnFailure?: boolean
  /** Deadline for the whole run; undefined = none. */
  timeoutMs: number | undefined
  pollIntervalMs: number
  /** Aborted when the CI job is cancelled. */
  signal?: AbortSignal
  /** For resending executes that provably started nothing; the client's own default otherwise. */
  retryPolicy?: RetryPolicy
  random?: () => number
  /** How often a running step's growing counters get a log line; see follow.ts. */
  stepProgressEveryMs?: number
}

export type StopReason = { kind: 'cancelled' | 'timeout' | 'sibling-failed'; text: string }

/** Something that can be told to stop, and says why nothing more may start. */
export interface Scope {
  readonly signal: AbortSignal
  readonly stopReason: StopReason | undefined
  readonly notStartingBecause: string | undefined
}

/** What following one job needs of the run. */
export interface FollowContext {
  readonly api: DataStudioApi
  readonly schedule: PollSchedule
  readonly observer: RunObserver
  readonly options: Pick<RunOptions, 'random' | 'stepProgressEveryMs'>
}

/** State shared by the workflows of one run. */
class RunContext implements Scope, FollowContext {
  readonly stop = new AbortController()
  stopReason: StopReason | undefined
  /** An error that dooms every later request (a refused key); later workflows are not started. */
  fatal: string | undefined
  fatalKind: FailureKind | undefined
  readonly schedule: PollSchedule
  readonly started = Date.now()
  private timer: NodeJS.Timeout | undefined

  constructor(
    readonly api: DataStudioApi,
    readonly options: RunOptions,
    readonly observer: RunObserver
  ) {
    this.schedule = pollSchedule(options.pollIntervalMs)
    const onAbort = (): void => this.halt({ kind: 'cancelled', text: 'the run was cancelled' })
    if (options.signal?.aborted === true) onAbort()
    else options.signal?.addEventListener('abort', onAbort, { once: true })
    if (options.timeoutMs !== undefined) {
      const text = `the run's timeout (${formatDuration(options.timeoutMs)}) passed`
      this.timer = setTimeout(() => this.halt({ kind: 'timeout', text }), options.timeoutMs)
    }
  }

  get signal(): AbortSignal {
    return this.stop.signal
  }

  halt(reason: StopReason): void {
    if (this.stopReason !== undefined) return
    this.stopReason = reason
    this.stop.abort()
  }

  /** Why nothing more may start, if anything. */
  get notStartingBecause(): string | undefined {
    return this.stopReason?.text ?? this.fatal
  }

  dispose(): void {
    clearTimeout(this.timer)
  }
}

/** One phase: stops with the run, or on its own when cancel-on-failure stops a failing phase. */
class PhaseScope implements Scope {
  private readonly own = new AbortController()
  private ownReason: StopReason | undefined
  readonly signal: AbortSignal

  constructor(private readonly run: RunContext) {
    this.signal = AbortSignal.any([run.signal, this.own.signal])
  }

  halt(reason: StopReason): void {
    if (this.ownReason !== undefined) return
    this.ownReason = reason
    this.own.abort()
  }

  get stopReason(): StopReason | undefined {
    return this.run.stopReason ?? this.ownReason
  }

  get notStartingBecause(): string | undefined {
    return this.run.notStartingBecause ?? this.ownReason?.text
  }
}

export async function runPlan(
  plan: Plan,
  api: DataStudioApi,
  options: RunOptions,
  observer: RunObserver = {}
): Promise<RunResult> {
  const ctx = new RunContext(api, options, observer)
  const phases: PhaseResult[] = []
  let failedPhase: PhaseResult | undefined
  try {
    for (const [index, workflows] of plan.entries()) {
      const phase = index + 1
      const skipBecause =
        ctx.notStartingBecause ??
        (options.failFast && failedPhase !== undefined
          ? `phase ${failedPhase.phase} failed (${failedNames(failedPhase)}) and fail-fast is on`
          : undefined)
      if (skipBecause !== undefined) {
        const skipped: PhaseResult = {
          phase,
          skipped: skipBecause,
          workflows: workflows.map(wf => skippedResult(wf, `not started: ${skipBecause}`))
        }
        phases.push(skipped)
        observer.phaseSkipped?.(skipped)
        continue
      }
      observer.phaseStarted?.(phase, workflows)
      const result: PhaseResult = {
        phase,
        skipped: undefined,
        workflows: await runPhase(workflows, ctx)
      }
      phases.push(result)
      observer.phaseFinished?.(result)
      if (failedPhase === undefined && result.workflows.some(r => r.outcome !== 'success')) {
        failedPhase = result
      }
    }
  } finally {
    ctx.dispose()
  }
  const workflows = phases.flatMap(p => p.workflows)
  const finished = Date.now()
  return {
    stoppedBy: ctx.fatalKind,
    // A cancel that arrives after every workflow succeeded stopped nothing.
    result: workflows.every(r => r.outcome === 'success')
      ? 'success'
      : ctx.stopReason?.kind === 'cancelled'
        ? 'cancelled'
        : 'failure',
    phases,
    workflows,
    startedAt: new Date(ctx.started),
    finishedAt: new Date(finished),
    durationMs: finished - ctx.started
  }
}

function failedNames(phase: PhaseResult): string {
  return phase.workflows
    .filter(r => r.outcome !== 'success')
    .map(r => r.workflow)
    .join(', ')
}

/** A pool of max-parallel workers over the phase's workflows; results stay in plan order. */
async function runPhase(workflows: PlannedWorkflow[], ctx: RunContext): Promise<WorkflowResult[]> {
  const results: WorkflowResult[] = new Array(workflows.length)
  const width = ctx.options.maxParallel === 0 ? workflows.length : ctx.options.maxParallel
  const scope = new PhaseScope(ctx)
  const cancelSiblings = ctx.options.failFast && ctx.options.cancelOnFailure === true
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < workflows.length) {
      const index = next++
      const workflow = workflows[index] as PlannedWorkflow
      const result = await runWorkflow(workflow, ctx, scope)
      results[index] = result
      ctx.observer.workflowFinished?.(result)
      if (cancelSiblings && result.outcome !== 'success' && result.outcome !== 'skipped') {
        scope.halt({
          kind: 'sibling-failed',
          text: `${result.workflow} failed and cancel-on-failure is on`
        })
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, workflows.length) }, worker))
  return results
}

function skippedResult(workflow: PlannedWorkflow, reason: string): WorkflowResult {
  return {
    phase: workflow.phase,
    workflow: workflow.workflow,
    maxDurationMs: workflow.maxDurationMs,
    minDurationMs: workflow.minDurationMs,
    jobId: undefined,
    state: undefined,
    outcome: 'skipped',
    reason,
    startedAt: undefined,
    finishedAt: undefined,
    durationMs: undefined,
    steps: [],
    stillRunning: false,
    checks: [],
    failureKind: undefined
  }
}

async function runWorkflow(
  workflow: PlannedWorkflow,
  ctx: RunContext,
  scope: Scope
): Promise<WorkflowResult> {
  const notStarting = scope.notStartingBecause
  if (notStarting !== undefined) return skippedResult(workflow, `not started: ${notStarting}`)
  let jobId: string
  try {
    jobId = await submitWorkflow(
      ctx.api,
      workflow,
      scope.signal,
      message => ctx.observer.notice?.(workflow, message),
      ctx.options.retryPolicy
    )
  } catch (error) {
    // Stopped while it was still waiting to be sent: it was not started, so it is not a failure.
    const stopping = scope.notStartingBecause
    if (stopping !== undefined && startedNothing(error)) {
      return skippedResult(workflow, `not started: ${stopping}`)
    }
    const kind = error instanceof ApiError ? error.kind : undefined
    const dooms = kind === undefined ? undefined : DOOMS_THE_RUN[kind]
    if (dooms !== undefined && ctx.fatal === undefined) {
      ctx.fatal = dooms
      ctx.fatalKind = kind
    }
    return {
      ...skippedResult(workflow, getErrorMessage(error)),
      outcome: 'failed',
      failureKind: kind
    }
  }
  ctx.observer.jobSubmitted?.(workflow, jobId)
  return followJob(workflow, jobId, ctx, scope)
}

/** Nothing was started: stopped before sending, or a request that never reached the server. */
function startedNothing(error: unknown): boolean {
  return (
    error instanceof StoppedBeforeStart ||
    (error instanceof ApiError && !error.mayHaveReachedServer)
  )
}

/** Failures that every later request would meet too: nothing more is started after one. */
const DOOMS_THE_RUN: Partial<Record<FailureKind, string>> = {
  auth: 'Data Studio refused the API key (401)',
  forbidden: 'Data Studio refused the API key (403)',
  tls: "the server's TLS certificate is not trusted",
  unresolvable: "the server's host name does not resolve"
}
