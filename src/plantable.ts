/**
 * The resolved plan as a Markdown table — every workflow with the settings it will run with,
 * after the plan file's precedence and the inputs' defaults — for a dry run's log and summary.
 */
import { formatDuration } from './duration.js'
import { tableRow } from './markdown.js'
import type { Plan, StepCheck } from './plan.js'

export function renderPlanTable(plan: Plan): string {
  const lines = [
    '| Phase | Workflow | Max duration | Min duration | Version | Refresh sources | Space | Parameters | Step checks |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |'
  ]
  for (const workflow of plan.flat()) {
    const { execute } = workflow
    lines.push(
      tableRow([
        String(workflow.phase),
        `\`${workflow.workflow}\``,
        workflow.maxDurationMs === undefined ? '—' : formatDuration(workflow.maxDurationMs),
        workflow.minDurationMs === undefined ? '—' : formatDuration(workflow.minDurationMs),
        execute.version === 'PreferDraft' ? 'draft' : 'published',
        execute.refreshSources ? 'yes' : 'no',
        execute.space ?? '—',
        execute.parameters === undefined
          ? '—'
          : Object.entries(execute.parameters)
              .map(([name, value]) => `${name}=${String(value)}`)
              .join(', '),
        workflow.checks.length === 0 ? '—' : workflow.checks.map(describeCheck).join('; ')
      ])
    )
  }
  return lines.join('\n')
}

/** `'Validate addresses' failedRowCount ≤ 0, failedRowCount/rowCount ≤ 0.5%`. */
function describeCheck(check: StepCheck): string {
  const bounds = [
    ...Object.entries(check.min ?? {}).map(([c, v]) => `${c} ≥ ${v}`),
    ...Object.entries(check.max ?? {}).map(([c, v]) => `${c} ≤ ${v}`),
    ...Object.entries(check.minRatio ?? {}).map(([c, v]) => `${c} ≥ ${percent(v)}`),
    ...Object.entries(check.maxRatio ?? {}).map(([c, v]) => `${c} ≤ ${percent(v)}`)
  ]
  return `'${check.step}' ${bounds.join(', ')}`
}

function percent(ratio: number): string {
  return `${Number((ratio * 100).toPrecision(4))}%`
}
