/**
 * What the post step needs if the main step is killed before it can clean up: the jobs it started
 * that may still be running. Saved (with core.saveState) every time the set changes; never the
 * API key — only job ids and workflow labels.
 */
import type { PlannedWorkflow } from './plan.js'
import type { RunObserver, WorkflowResult } from './runner.js'

export const StateNames = {
  /** JSON array of ActiveJob. */
  ActiveJobs: 'activeJobs'
} as const

export interface ActiveJob {
  jobId: string
  workflow: string
}

/** Tracks the jobs that may be running and saves the list whenever it changes. */
export class ActiveJobsRecorder implements RunObserver {
  private readonly active = new Map<string, ActiveJob>()

  constructor(private readonly save: (value: string) => void) {}

  jobSubmitted(workflow: PlannedWorkflow, jobId: string): void {
    this.active.set(jobId, { jobId, workflow: workflow.workflow })
    this.flush()
  }

  workflowFinished(result: WorkflowResult): void {
    // A job that could not be cancelled stays on the list for the post step to try again.
    if (result.jobId === undefined || result.stillRunning) return
    if (this.active.delete(result.jobId)) this.flush()
  }

  private flush(): void {
    this.save(JSON.stringify([...this.active.values()]))
  }
}

/** The saved list; anything unreadable counts as empty (there is nothing safe to act on). */
export function parseActiveJobs(saved: string): ActiveJob[] {
  if (saved.trim() === '') return []
  try {
    const value: unknown = JSON.parse(saved)
    if (!Array.isArray(value)) return []
    return value.filter(
      (job): job is ActiveJob =>
        typeof job === 'object' &&
        job !== null &&
        typeof (job as ActiveJob).jobId === 'string' &&
        typeof (job as ActiveJob).workflow === 'string'
    )
  } catch {
    return []
  }
}

/** Tells every observer, in order. */
export function allObservers(...observers: RunObserver[]): RunObserver {
  const each =
    <K extends keyof RunObserver>(key: K) =>
    (...args: Parameters<NonNullable<RunObserver[K]>>) => {
      for (const observer of observers) {
        const method = observer[key] as ((...a: typeof args) => void) | undefined
        method?.apply(observer, args)
      }
    }
  return {
    phaseStarted: each('phaseStarted'),
    phaseFinished: each('phaseFinished'),
    phaseSkipped: each('phaseSkipped'),
    jobSubmitted: each('jobSubmitted'),
    jobStateChanged: each('jobStateChanged'),
    stepChanged: each('stepChanged'),
    notice: each('notice'),
    workflowFinished: each('workflowFinished')
  }
}
