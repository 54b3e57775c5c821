/**
 * The job summary as Markdown: the verdict, then one table per phase with each workflow's job,
 * outcome, duration, limits and reason, and the step results Data Studio returned. Pure: it
 * renders data, so it can be tested and written anywhere (the runner's summary file or a CLI's).
 */
import { formatDuration } from './duration.js'
import { renderGantt } from './gantt.js'
import { escapeText, tableRow } from './markdown.js'
import { OUTCOME_SYMBOL, verdictLine } from './log.js'
import { formatCounters } from './outcome.js'
import type { PhaseResult, RunResult, WorkflowResult } from './runner.js'

export interface SummaryContext {
  serverUrl: string
  environment: string
  tenancy: string
}

const HEADLINE: Record<RunResult['result'], string> = {
  success: '✅ Data Studio workflows succeeded',
  failure: '❌ Data Studio workflows failed',
  cancelled: '🛑 Data Studio run cancelled'
}

export function renderSummary(run: RunResult, context: SummaryContext): string {
  const lines = [
    `## ${HEADLINE[run.result]}`,
    '',
    escapeText(verdictLine(run).replace(/^Result: /, '')),
    '',
    `Server \`${context.serverUrl}\`, environment \`${context.environment}\`, tenancy ` +
      `\`${context.tenancy}\` · ${run.phases.length} phase${run.phases.length === 1 ? '' : 's'} · ` +
      `started ${run.startedAt.toISOString()}`,
    ''
  ]
  const timeline = renderGantt(run)
  if (timeline !== '') lines.push(timeline, '')
  for (const phase of run.phases) lines.push(...renderPhase(phase, run.phases.length))
  return lines.join('\n')
}

function renderPhase(phase: PhaseResult, count: number): string[] {
  const bad = phase.workflows.filter(r => r.outcome !== 'success')
  const status =
    phase.skipped !== undefined ? '⏭️ skipped' : bad.length === 0 ? '✅ succeeded' : '❌ failed'
  const lines = [`### Phase ${phase.phase} of ${count} — ${status}`, '']
  if (phase.skipped !== undefined) lines.push(`Not started: ${escapeText(phase.skipped)}.`, '')
  lines.push(
    '| Workflow | Job | Outcome | Duration | Expected | Reason |',
    '| --- | --- | --- | --- | --- | --- |'
  )
  for (const r of phase.workflows) {
    lines.push(
      tableRow([
        `\`${r.workflow}\``,
        r.jobId ?? '—',
        `${OUTCOME_SYMBOL[r.outcome]} ${r.outcome}`,
        r.durationMs === undefined ? '—' : formatDuration(r.durationMs),
        expected(r),
        r.reason ?? ''
      ])
    )
  }
  lines.push('')
  const withSteps = phase.workflows.filter(r => r.steps.length > 0)
  if (withSteps.length > 0) {
    lines.push(
      '<details><summary>Step results</summary>',
      '',
      '| Workflow | Step | State | Counters |',
      '| --- | --- | --- | --- |'
    )
    for (const r of withSteps) {
      for (const step of r.steps) {
        lines.push(tableRow([`\`${r.workflow}\``, step.name, step.state, formatCounters(step)]))
      }
    }
    lines.push('', '</details>', '')
  }
  const withChecks = phase.workflows.filter(r => r.checks.length > 0)
  if (withChecks.length > 0) {
    lines.push('| Workflow | Step check | Result |', '| --- | --- | --- |')
    for (const r of withChecks) {
      for (const check of r.checks) {
        lines.push(
          tableRow([
            `\`${r.workflow}\``,
            check.description,
            check.passed ? '✅ passed' : '❌ failed'
          ])
        )
      }
    }
    lines.push('')
  }
  return lines
}

function expected(r: WorkflowResult): string {
  const parts: string[] = []
  if (r.minDurationMs !== undefined) parts.push(`≥ ${formatDuration(r.minDurationMs)}`)
  if (r.maxDurationMs !== undefined) parts.push(`≤ ${formatDuration(r.maxDurationMs)}`)
  return parts.length === 0 ? 'any' : parts.join(', ')
}
