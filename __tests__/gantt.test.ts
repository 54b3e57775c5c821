import { describe, expect, it } from '@jest/globals'
import { mermaidText, renderGantt } from '../src/gantt.js'
import type { Outcome } from '../src/outcome.js'
import type { PhaseResult, RunResult, WorkflowResult } from '../src/runner.js'
import { runResult, workflowResult } from './fixtures/results.js'

const T0 = Date.parse('2026-12-04T10:00:00.000Z')
const at = (seconds: number): Date => new Date(T0 + seconds * 1000)

function wf(
  phase: number,
  workflow: string,
  outcome: Outcome,
  from?: number,
  to?: number
): WorkflowResult {
  return workflowResult({
    phase,
    workflow,
    jobId: from === undefined ? undefined : `job-${workflow}`,
    outcome,
    startedAt: from === undefined ? undefined : at(from),
    finishedAt: to === undefined ? undefined : at(to),
    durationMs: from === undefined || to === undefined ? undefined : (to - from) * 1000
  })
}

function runOf(phases: PhaseResult[], durationMs = 100_000): RunResult {
  return runResult({ phases, startedAt: at(0), durationMs })
}

const ran = (phase: number, ...workflows: WorkflowResult[]): PhaseResult => ({
  phase,
  skipped: undefined,
  workflows
})

const run = runOf([
  ran(1, wf(1, 'wf1', 'success', 0, 12)),
  ran(
    2,
    wf(2, 'wf2', 'failed', 13, 20),
    wf(2, 'wf3', 'timed-out', 13, 80),
    wf(2, 'wf4', 'too-fast', 13, 13.5),
    wf(2, 'wf5', 'cancelled', 14, 30),
    wf(2, 'wf6', 'success', 13, 40)
  ),
  {
    phase: 3,
    skipped: 'phase 2 failed and fail-fast is on',
    workflows: [wf(3, 'wf7', 'skipped'), wf(3, 'wf8', 'skipped')]
  }
])

const ms = (seconds: number): string => String(T0 + seconds * 1000)

describe('renderGantt', () => {
  const text = renderGantt(run)
  const lines = text.split('\n')

  it('is a mermaid gantt block with epoch-millisecond dates', () => {
    expect(lines.slice(0, 6)).toEqual([
      '```mermaid',
      'gantt',
      '  title Data Studio run 2026-12-04',
      '  dateFormat x',
      '  axisFormat %H:%M:%S',
      '  todayMarker off'
    ])
    expect(lines.at(-1)).toBe('```')
  })

  it('gives one section per phase, in order, marking a skipped phase', () => {
    expect(lines.filter(l => l.trimStart().startsWith('section '))).toEqual([
      '  section Phase 1',
      '  section Phase 2',
      '  section Phase 3 (skipped)'
    ])
  })

  it('draws one line per workflow under its phase, from its start to its end', () => {
    expect(lines.slice(6, -1)).toEqual([
      '  section Phase 1',
      `    ✅ wf1 · success · 12.0s :done, ${ms(0)}, ${ms(12)}`,
      '  section Phase 2',
      `    ❌ wf2 · failed · 7.0s :crit, ${ms(13)}, ${ms(20)}`,
      `    ⏱️ wf3 · timed-out · 1m 7s :crit, ${ms(13)}, ${ms(80)}`,
      `    ⚡ wf4 · too-fast · 500ms :crit, ${ms(13)}, ${ms(13.5)}`,
      `    🛑 wf5 · cancelled · 16.0s :crit, ${ms(14)}, ${ms(30)}`,
      `    ✅ wf6 · success · 27.0s :done, ${ms(13)}, ${ms(40)}`,
      '  section Phase 3 (skipped)',
      // Skipped workflows are milestones where the run moved past them: the end of phase 2.
      `    ⏭️ wf7 · skipped :milestone, ${ms(80)}, ${ms(80)}`,
      `    ⏭️ wf8 · skipped :milestone, ${ms(80)}, ${ms(80)}`
    ])
  })

  it('marks every failing outcome crit and only success done', () => {
    const tasks = lines.filter(l => l.includes(' :'))
    for (const line of tasks) {
      const failing = /· (failed|timed-out|too-fast|cancelled)/.test(line)
      expect(line.includes(':crit')).toBe(failing)
      expect(line.includes(':done')).toBe(line.includes('· success'))
    }
    expect(tasks.filter(l => l.includes('crit'))).toHaveLength(4)
  })

  it('draws a workflow refused at execute as a crit milestone at its phase’s start', () => {
    const refused = runOf([
      ran(1, wf(1, 'a', 'success', 0, 5)),
      ran(2, wf(2, 'b', 'failed'), wf(2, 'c', 'success', 6, 9))
    ])
    expect(renderGantt(refused).split('\n').slice(8, -1)).toEqual([
      '  section Phase 2',
      `    ❌ b · failed :crit, milestone, ${ms(5)}, ${ms(5)}`,
      `    ✅ c · success · 3.0s :done, ${ms(6)}, ${ms(9)}`
    ])
  })

  it('never draws a bar that ends before it starts', () => {
    const skewed = runOf([ran(1, { ...wf(1, 'a', 'success', 10, 5), durationMs: 0 })])
    expect(renderGantt(skewed)).toContain(`✅ a · success · 0ms :done, ${ms(10)}, ${ms(10)}`)
  })

  it('returns nothing when no workflow ran', () => {
    expect(renderGantt(runOf([]))).toBe('')
    const skippedOnly = runOf([
      { phase: 1, skipped: 'the API key was refused', workflows: [wf(1, 'a', 'skipped')] }
    ])
    expect(renderGantt(skippedOnly)).toBe('')
    expect(renderGantt(runOf([ran(1, wf(1, 'a', 'failed'))]))).toBe('')
  })

  it('shows the date on the axis for a run longer than a day', () => {
    const long = runOf([ran(1, wf(1, 'a', 'success', 0, 90_000))], 90_000_000)
    expect(renderGantt(long)).toContain('\n  axisFormat %m-%d %H:%M\n')
  })

  it('keeps labels that would break the syntax readable and on one line', () => {
    const hostile = runOf([
      ran(
        1,
        wf(1, 'section a: b # c; d\ne%%f<g>```', 'success', 0, 1),
        wf(1, 'title x', 'failed', 0, 1)
      )
    ])
    const tasks = renderGantt(hostile)
      .split('\n')
      .filter(l => l.startsWith('    '))
    expect(tasks).toEqual([
      `    ✅ section a∶ b ＃ c； d e%f‹g›''' · success · 1.0s :done, ${ms(0)}, ${ms(1)}`,
      `    ❌ title x · failed · 1.0s :crit, ${ms(0)}, ${ms(1)}`
    ])
    // Only the separator before the task data is a real colon.
    for (const line of tasks) expect(line.split(':')).toHaveLength(2)
  })
})

describe('mermaidText', () => {
  it('replaces what Mermaid would read as syntax and collapses white space', () => {
    expect(mermaidText('a:b#c;d')).toBe('a∶b＃c；d')
    expect(mermaidText('  one\r\n\ttwo   three  ')).toBe('one two three')
    expect(mermaidText('%% not a comment')).toBe('% not a comment')
    expect(mermaidText('<b>bold</b> `code`')).toBe("‹b›bold‹/b› 'code'")
  })

  it('leaves ordinary labels alone', () => {
    for (const label of [
      'wf1',
      'load-customers',
      'Validate addresses (EMEA)',
      'match_and_merge.v2'
    ]) {
      expect(mermaidText(label)).toBe(label)
    }
  })

  it('shortens long labels without splitting a character', () => {
    const long = `${'😀'.repeat(70)}`
    const short = mermaidText(long)
    expect([...short]).toHaveLength(60)
    expect(short.endsWith('😀…')).toBe(true)
  })
})
