/**
 * The run as a Mermaid Gantt timeline for the job summary: a section per phase, a bar per
 * workflow from its start to its end, failures marked `crit` (red) and successes `done` (grey),
 * so a reader sees at a glance which workflow held a phase up and where the run went wrong.
 * GitHub renders ```mermaid blocks in Markdown, the job summary included.
 *
 * Times are given as epoch milliseconds (`dateFormat x`) so no time zone or date format can be
 * misread; the axis shows the viewer's local clock time.
 */
import { formatDuration } from './duration.js'
import { OUTCOME_SYMBOL } from './log.js'
import type { Outcome } from './outcome.js'
import type { RunResult, WorkflowResult } from './runner.js'

/** Outcomes that fail the run: red bars. */
const FAILING: ReadonlySet<Outcome> = new Set(['failed', 'timed-out', 'too-fast', 'cancelled'])

const DAY_MS = 86_400_000

/** A ```mermaid gantt block, or '' when no workflow ran (there is no time line to draw). */
export function renderGantt(run: RunResult): string {
  const ran = run.workflows.some(r => span(r) !== undefined)
  if (!ran) return ''
  const lines = [
    '```mermaid',
    'gantt',
    `  title Data Studio run ${run.startedAt.toISOString().slice(0, 10)}`,
    '  dateFormat x',
    // Clock time reads best; a run over a day long needs the date as well.
    `  axisFormat ${run.durationMs >= DAY_MS ? '%m-%d %H:%M' : '%H:%M:%S'}`,
    '  todayMarker off'
  ]
  // Workflows without times (never started, or refused at execute) are drawn as milestones at
  // the moment the run moved past them: the end of what ran before.
  let cursor = run.startedAt.getTime()
  for (const phase of run.phases) {
    const status = phase.skipped === undefined ? '' : ' (skipped)'
    lines.push(`  section Phase ${phase.phase}${status}`)
    const phaseEnd = Math.max(cursor, ...phase.workflows.map(r => span(r)?.end ?? cursor))
    for (const r of phase.workflows) lines.push(`    ${task(r, cursor)}`)
    cursor = phaseEnd
  }
  lines.push('```')
  return lines.join('\n')
}

function task(r: WorkflowResult, fallbackAt: number): string {
  const times = span(r)
  const tags: string[] = []
  if (FAILING.has(r.outcome)) tags.push('crit')
  else if (r.outcome === 'success') tags.push('done')
  if (times === undefined) tags.push('milestone')
  const start = times?.start ?? fallbackAt
  const end = times?.end ?? fallbackAt
  const parts = [mermaidText(r.workflow), r.outcome]
  if (r.durationMs !== undefined) parts.push(formatDuration(r.durationMs))
  // The symbol first: a task name that began with a word such as "section" or "title" would be
  // read as that keyword.
  const name = `${OUTCOME_SYMBOL[r.outcome]} ${parts.join(' · ')}`
  return `${name} :${[...tags, String(start), String(end)].join(', ')}`
}

/** The workflow's bar, when it has both ends; a bar never runs backwards. */
function span(r: WorkflowResult): { start: number; end: number } | undefined {
  if (r.startedAt === undefined || r.finishedAt === undefined) return undefined
  const start = r.startedAt.getTime()
  return { start, end: Math.max(start, r.finishedAt.getTime()) }
}

const MAX_NAME = 60

/**
 * A task name Mermaid reads as text: `:` ends the name, `#` starts a comment, `;` ends a
 * statement and a line break ends the line, so each is replaced by a look-alike; `<` `>` could
 * open markup and a backtick fence could close the code block. Long names are shortened.
 */
export function mermaidText(text: string): string {
  const clean = text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/:/g, '∶')
    .replace(/#/g, '＃')
    .replace(/;/g, '；')
    .replace(/%%/g, '%')
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .replace(/`/g, "'")
    .replace(/\s{2,}/g, ' ')
    .trim()
  const chars = [...clean]
  return chars.length > MAX_NAME ? `${chars.slice(0, MAX_NAME - 1).join('')}…` : clean
}
