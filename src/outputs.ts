/** The step's outputs, as plain strings computed from the run's result. */
import type { Step } from './contract.js'
import type { RunResult, WorkflowResult } from './runner.js'

export const Outputs = {
  Result: 'result',
  FailedWorkflows: 'failed-workflows',
  DurationSeconds: 'duration-seconds',
  Results: 'results'
} as const

export interface ResultRecord {
  phase: number
  workflow: string
  jobId: string | null
  state: string | null
  outcome: string
  reason: string | null
  startedAt: string | null
  finishedAt: string | null
  durationSeconds: number | null
  steps: ({ name: string; state: string } & Record<string, string | number>)[]
}

export function seconds(ms: number): number {
  return Math.round(ms / 100) / 10
}

function resultRecord(result: WorkflowResult): ResultRecord {
  return {
    phase: result.phase,
    workflow: result.workflow,
    jobId: result.jobId ?? null,
    state: result.state ?? null,
    outcome: result.outcome,
    reason: result.reason ?? null,
    startedAt: result.startedAt?.toISOString() ?? null,
    finishedAt: result.finishedAt?.toISOString() ?? null,
    durationSeconds: result.durationMs === undefined ? null : seconds(result.durationMs),
    steps: result.steps.map(stepRecord)
  }
}

function stepRecord(step: Step): ResultRecord['steps'][number] {
  return { ...step.counters, name: step.name, state: step.state }
}

export function runOutputs(run: RunResult): Record<string, string> {
  return {
    [Outputs.Result]: run.result,
    [Outputs.FailedWorkflows]: run.workflows
      .filter(r => r.outcome !== 'success' && r.outcome !== 'skipped')
      .map(r => r.workflow)
      .join(','),
    [Outputs.DurationSeconds]: String(seconds(run.durationMs)),
    [Outputs.Results]: JSON.stringify(run.workflows.map(resultRecord))
  }
}
