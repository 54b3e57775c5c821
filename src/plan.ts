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

export interface PlannedWorkflow extends DurationLimits {
  /** 1-based phase number, as people count them in logs. */
  phase: number
  workflow: string
  execute: ExecuteOptions
}

export type Plan = PlannedWorkflow[][]

/** Gives every label of a phase list the same settings (the action's inputs). */
export function buildPlan(
  phases: string[][],
  limits: DurationLimits,
  execute: ExecuteOptions
): Plan {
  return phases.map((labels, index) =>
    labels.map(workflow => ({ phase: index + 1, workflow, ...limits, execute }))
  )
}
