/**
 * End to end: the committed dist/index.js, run as a process the way a runner runs it, against
 * the simulator over real HTTP on loopback. What the server saw is read from its request log.
 */
import { describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { phasesOrdered } from '../src/simulator/log.js'
import type { RunningSimulator } from '../src/simulator/server.js'
import { ACTION_BUNDLE, runAction } from './fixtures/action-process.js'
import { startTestSimulator } from './fixtures/simulator.js'

const KEY = 'e2e-Secret-Key-9f8e7d'
const VENDOR = [['wf1'], ['wf2', 'wf3', 'wf4'], ['wf5', 'wf6'], ['wf7']]
const VENDOR_INPUT = "@('wf1'), @('wf2','wf3','wf4'), @('wf5','wf6'), @('wf7')"

function scenario(workflows: string, extra = ''): string {
  return [
    'environment: default',
    `apiKey: ${KEY}`,
    'defaults:',
    '  queued: 50ms',
    extra,
    'workflows:',
    workflows
  ].join('\n')
}

const VENDOR_WORKFLOWS = `
  wf1: { duration: 400ms, steps: [{ name: Load customers, rowCount: 1200 }] }
  wf2: { duration: 300ms }
  wf3: { duration: 600ms, steps: [{ name: Validate addresses, rowCount: 900, failedRowCount: 4 }] }
  wf4: { duration: 200ms }
  wf5: { duration: 300ms }
  wf6: { duration: 500ms }
  wf7: { duration: 200ms }`

const start = (text: string): Promise<RunningSimulator> => startTestSimulator(text)

function inputs(sim: RunningSimulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'server-url': sim.url,
    'api-key': KEY,
    phases: VENDOR_INPUT,
    'poll-interval': '1s',
    ...extra
  }
}

describe('the bundled action against the simulator', () => {
  it('is built: dist/index.js exists (run npm run build)', () => {
    expect(existsSync(ACTION_BUNDLE)).toBe(true)
  })

  it('runs the vendor-shaped four-phase plan to success', async () => {
    const sim = await start(scenario(VENDOR_WORKFLOWS))
    const run = await runAction(inputs(sim))

    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.outputs.result).toBe('success')
    expect(run.outputs['failed-workflows']).toBe('')
    const results = JSON.parse(run.outputs.results ?? '[]') as {
      workflow: string
      outcome: string
      jobId: string
    }[]
    expect(results.map(r => r.workflow)).toEqual(VENDOR.flat())
    expect(results.every(r => r.outcome === 'success')).toBe(true)

    const stats = sim.stats()
    expect(stats.executions).toEqual(Object.fromEntries(VENDOR.flat().map(w => [w, 1])))
    expect(phasesOrdered(stats.jobs, VENDOR)).toEqual({ ok: true, violations: [] })
    expect(stats.peakRunning).toBe(3)

    for (let phase = 1; phase <= 4; phase++) {
      expect(run.summary).toContain(`### Phase ${phase} of 4 — ✅ succeeded`)
      expect(run.stdout).toContain(`::group::Phase ${phase} of 4:`)
    }
    expect(run.summary).toContain(
      '| Validate addresses | COMPLETED | rowCount 900, failedRowCount 4 |'
    )
    // The job id is logged as soon as the job exists, before its first state line.
    const submitted = run.stdout.indexOf(`[wf1] submitted as job ${results[0]?.jobId}`)
    expect(submitted).toBeGreaterThan(-1)
    expect(submitted).toBeLessThan(run.stdout.indexOf('[wf1] ['))
    expect(run.stdout).toMatch(/Result: success — all 7 workflows succeeded/)
    expect(run.everything).not.toContain(KEY)
    expect(run.stdout.startsWith(`::add-mask::${KEY}\n`)).toBe(true)
  })

  it('with fail-fast, stops after a failing phase: later phases are never executed', async () => {
    const sim = await start(
      scenario(
        VENDOR_WORKFLOWS.replace(
          'wf3: { duration: 600ms,',
          'wf3: { duration: 300ms, outcome: FAILED, message: Address rules failed,'
        )
      )
    )
    const run = await runAction(inputs(sim))

    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('failure')
    expect(run.outputs['failed-workflows']).toBe('wf3')
    expect(run.stdout).toContain('::error title=Data Studio workflow wf3%3A failed::')
    expect(run.stdout).toContain('Address rules failed')
    expect(run.stdout).toContain(
      '::error::1 workflow did not succeed: wf3 (failed); 3 not started: wf5, wf6, wf7'
    )
    const { executions } = sim.stats()
    expect(executions).toEqual({ wf1: 1, wf2: 1, wf3: 1, wf4: 1 })
    expect(run.summary).toContain('### Phase 3 of 4 — ⏭️ skipped')
    expect(run.summary).toContain('Not started: phase 2 failed (wf3) and fail-fast is on.')
  })

  it('without fail-fast, runs every phase and still fails', async () => {
    const sim = await start(
      scenario(
        VENDOR_WORKFLOWS.replace(
          'wf3: { duration: 600ms,',
          'wf3: { duration: 300ms, outcome: FAILED,'
        )
      )
    )
    const run = await runAction(inputs(sim, { 'fail-fast': 'false' }))

    expect(run.code).toBe(1)
    expect(run.outputs['failed-workflows']).toBe('wf3')
    expect(sim.stats().executions).toEqual(Object.fromEntries(VENDOR.flat().map(w => [w, 1])))
    expect(phasesOrdered(sim.stats().jobs, VENDOR).ok).toBe(true)
  })

  it('cancels a job on the server when it outlives max-duration', async () => {
    const sim = await start(
      scenario(`
  stuck: { duration: never }
  quick: { duration: 100ms }`)
    )
    const run = await runAction(inputs(sim, { phases: 'stuck, quick', 'max-duration': '1500ms' }))

    expect(run.code).toBe(1)
    const results = JSON.parse(run.outputs.results ?? '[]') as {
      workflow: string
      outcome: string
      reason: string
    }[]
    expect(results.map(r => [r.workflow, r.outcome])).toEqual([
      ['stuck', 'timed-out'],
      ['quick', 'success']
    ])
    expect(results[0]?.reason).toContain('after max-duration 1.5s')
    const stuck = sim.stats().jobs.find(j => j.workflow === 'stuck')
    expect(stuck?.state).toBe('CANCELLED')
    expect(
      sim
        .log()
        .filter(e => e.route === 'cancel')
        .map(e => e.jobId)
    ).toEqual([stuck?.jobId])
  })

  it('fails a workflow that completes sooner than min-duration', async () => {
    const sim = await start(scenario('  empty: { duration: 100ms }'))
    const run = await runAction(inputs(sim, { phases: 'empty', 'min-duration': '1m' }))

    expect(run.code).toBe(1)
    expect(run.outputs['failed-workflows']).toBe('empty')
    expect(run.stdout).toContain('sooner than min-duration 1m')
    expect(run.summary).toContain('⚡ too-fast')
  })

  it('explains a wrong key (401) and never prints it', async () => {
    const sim = await start(scenario(VENDOR_WORKFLOWS, 'echoAuthorization: true'))
    const wrong = 'wrong-Key-123456'
    const run = await runAction(inputs(sim, { 'api-key': wrong }))

    expect(run.code).toBe(1)
    expect(run.stdout).toContain("Data Studio refused the API key (401) for environment 'default'")
    expect(run.masked).toEqual([wrong])
    expect(run.everything).not.toContain(wrong)
    expect(run.everything).not.toContain(KEY)
    // The first refusal stops the run: no later phase is tried.
    expect(sim.log().filter(e => e.route === 'execute')).toHaveLength(1)
  })

  it('explains an unknown workflow label (404)', async () => {
    const sim = await start(scenario(VENDOR_WORKFLOWS))
    const run = await runAction(inputs(sim, { phases: 'wf1, wf_typo' }))

    expect(run.code).toBe(1)
    expect(run.outputs['failed-workflows']).toBe('wf_typo')
    expect(run.stdout).toContain(
      "Data Studio has no workflow with external label 'wf_typo' in environment 'default'"
    )
  })

  it('holds a phase to max-parallel, as the server sees it', async () => {
    const labels = ['a', 'b', 'c', 'd', 'e']
    const sim = await start(scenario(labels.map(l => `  ${l}: { duration: 300ms }`).join('\n')))
    const run = await runAction(inputs(sim, { phases: labels.join(','), 'max-parallel': '2' }))

    expect(run.code).toBe(0)
    expect(sim.stats().peakRunning).toBe(2)
    expect(Object.values(sim.stats().executions)).toEqual([1, 1, 1, 1, 1])
  })

  it('rejects a bad input before sending a single request', async () => {
    const sim = await start(scenario(VENDOR_WORKFLOWS))
    const run = await runAction(inputs(sim, { phases: "@('wf1'), @('wf2','wf2')" }))

    expect(run.code).toBe(1)
    expect(run.stdout).toContain("::error::Input 'phases': phase 2 lists 'wf2' twice")
    expect(sim.log()).toHaveLength(0)
  })

  it('fails cleanly on a missing input', async () => {
    const run = await runAction({})
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("::error::Input 'server-url' is required and was not given.")
  })
})
