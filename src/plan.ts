/** The resolved plan: every workflow with the settings it runs with, in phase order. */
import type { VersionChoice } from './contract.js'

export interface ExecuteOptions {
  version: VersionChoice
  refreshSources: boolean
  parameters: Record<string, string | number | boolean> | undefined
  space: string | undefined
}

export interface DurationLimits {
  /** Fails (and cancels) a job still running this long after Data Studio accepted it. */
  maxDurationMs: number | undefined
  /** Fails a job that completes sooner than this. */
  minDurationMs: number | undefined
}

/**
 * A check on the results of one step, judged when the job has COMPLETED, e.g.
 * `{step: "Validate addresses", max: {failedRowCount: 0}}` or
 * `{step: "Validate addresses", maxRatio: {"failedRowCount/rowCount": 0.005}}`.
 */
export interface StepCheck {
  step: string
  min?: Record<string, number>
  max?: Record<string, number>
  /** Keys are `numerator/denominator` counter names. */
  minRatio?: Record<string, number>
  maxRatio?: Record<string, number>
}

export interface PlannedWorkflow extends DurationLimits {
  /** 1-based phase number, as people count them in logs. */
  phase: number
  workflow: string
  execute: ExecuteOptions
  /** Checks on the step results; a failed check fails the workflow. */
  checks: StepCheck[]
}

export type Plan = PlannedWorkflow[][]

/** Gives every label of a phase list the same settings (the action's inputs). */
export function buildPlan(
  phases: string[][],
  limits: DurationLimits,
  execute: ExecuteOptions
): Plan {
  return phases.map((labels, index) =>
    labels.map(workflow => ({ phase: index + 1, workflow, ...limits, execute, checks: [] }))
  )
}
