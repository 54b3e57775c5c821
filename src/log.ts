/**
 * Streams a run to a log as it happens: a group per phase, a line per job state change and per
 * step change (not per poll), a closing line per workflow, an annotation per failure. The sink is
 * an interface so the same lines can go to a GitHub runner or to a terminal.
 */
import type { JobStatus, Step } from './contract.js'
import { formatDuration } from './duration.js'
import { failureLine, formatCounters, type Outcome } from './outcome.js'
import type { PlannedWorkflow } from './plan.js'
import type { PhaseResult, RunObserver, RunResult, WorkflowResult } from './runner.js'

export interface LogSink {
  info(message: string): void
  warning(message: string): void
  /** An error annotation with a title. */
  error(message: string, title: string): void
  startGroup(name: string): void
  endGroup(): void
}

export const OUTCOME_SYMBOL: Record<Outcome, string> = {
  success: '✅',
  failed: '❌',
  'timed-out': '⏱️',
  'too-fast': '⚡',
  cancelled: '🛑',
  skipped: '⏭️'
}

export class LogReporter implements RunObserver {
  constructor(
    private readonly sink: LogSink,
    private readonly phaseCount: number
  ) {}

  phaseStarted(phase: number, workflows: PlannedWorkflow[]): void {
    this.sink.startGroup(
      `Phase ${phase} of ${this.phaseCount}: ${workflows.map(w => w.workflow).join(', ')}`
    )
  }

  phaseFinished(phase: PhaseResult): void {
    const bad = phase.workflows.filter(r => r.outcome !== 'success').length
    this.sink.info(
      bad === 0
        ? `Phase ${phase.phase}: all ${phase.workflows.length} succeeded`
        : `Phase ${phase.phase}: ${bad} of ${phase.workflows.length} did not succeed`
    )
    this.sink.endGroup()
  }

  phaseSkipped(phase: PhaseResult): void {
    const names = phase.workflows.map(r => r.workflow).join(', ')
    this.sink.info(
      `Phase ${phase.phase} of ${this.phaseCount} skipped (${names}): ${phase.skipped}`
    )
  }

  jobSubmitted(workflow: PlannedWorkflow, jobId: string): void {
    this.sink.info(`[${workflow.workflow}] submitted as job ${jobId}`)
  }

  jobStateChanged(workflow: PlannedWorkflow, job: JobStatus, elapsedMs: number): void {
    const message = job.message === undefined ? '' : ` — ${job.message}`
    this.sink.info(`[${workflow.workflow}] ${at(elapsedMs)} ${job.state}${message}`)
  }

  stepChanged(workflow: PlannedWorkflow, step: Step, elapsedMs: number): void {
    const counters = formatCounters(step)
    this.sink.info(
      `[${workflow.workflow}] ${at(elapsedMs)}   step '${step.name}' ${step.state}` +
        (counters === '' ? '' : ` (${counters})`)
    )
  }

  notice(workflow: PlannedWorkflow, message: string): void {
    this.sink.warning(`[${workflow.workflow}] ${message}`)
  }

  workflowFinished(result: WorkflowResult): void {
    const took = result.durationMs === undefined ? '' : ` in ${formatDuration(result.durationMs)}`
    const why = result.reason === undefined ? '' : `: ${result.reason}`
    for (const check of result.checks) {
      this.sink.info(
        `[${result.workflow}]   check ${check.passed ? '✓' : '✗'} ${check.description}`
      )
    }
    this.sink.info(
      `[${result.workflow}] ${OUTCOME_SYMBOL[result.outcome]} ${result.outcome}${took}${why}`
    )
    if (result.outcome !== 'success' && result.outcome !== 'skipped') {
      this.sink.error(
        `${result.workflow}${result.jobId === undefined ? '' : ` (job ${result.jobId})`}: ${result.reason ?? result.outcome}`,
        `Data Studio workflow ${result.workflow}: ${result.outcome}`
      )
    }
  }
}

/** `[  12.3s]`: the job's age, padded so a parallel phase's lines line up. */
function at(elapsedMs: number): string {
  return `[${formatDuration(elapsedMs).padStart(7)}]`
}

/** The last line of the log: what happened, in one sentence. */
export function verdictLine(run: RunResult): string {
  const total = run.workflows.length
  const took = formatDuration(run.durationMs)
  if (run.result === 'success') {
    return `Result: success — all ${total} workflow${total === 1 ? '' : 's'} succeeded in ${took}`
  }
  const bad = run.workflows.filter(r => r.outcome !== 'success')
  return `Result: ${run.result} after ${took} — ${failureLine(bad)}`
}
