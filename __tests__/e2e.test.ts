/**
 * End to end: the committed dist/index.js, run as a process the way a runner runs it, against
 * the simulator over real HTTP on loopback. Each test asserts the four things a runner and a
 * server see: the exit code, the step's outputs, its job summary, and the simulator's request
 * log — how often each workflow was executed, and (from the request times) the phase order and
 * how many jobs were in flight at once.
 */
import { describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import {
  executionsPerWorkflow,
  peakConcurrency,
  phasesOrdered,
  type JobInterval,
  type RequestLogEntry
} from '../src/simulator/log.js'
import type { ResultRecord } from '../src/outputs.js'
import type { RunningSimulator } from '../src/simulator/server.js'
import { ACTION_BUNDLE, runAction, type ActionRun } from './fixtures/action-process.js'
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

/**
 * The request log of a run of the whole vendor plan: each workflow executed exactly once, in plan
 * order, phase after phase, three at once at most, with the job ids the server gave.
 */
function expectWholeVendorPlanOnce(run: ActionRun, log: readonly RequestLogEntry[]): void {
  expect(executionsPerWorkflow(log)).toEqual(once(VENDOR.flat()))
  expect(executeRequests(log).map(([w]) => w)).toEqual(VENDOR.flat())
  expectJobIdsFromServer(run, log)
  const jobs = jobsSeenInLog(log)
  expect(phasesOrdered(jobs, VENDOR)).toEqual({ ok: true, violations: [] })
  expect(peakConcurrency(jobs)).toBe(3)
}

/** The `results` output, in the shape src/outputs.ts writes it. */
function resultsOf(run: ActionRun): ResultRecord[] {
  return JSON.parse(run.outputs.results ?? '[]') as ResultRecord[]
}

function outcomesOf(run: ActionRun): Array<[string, string]> {
  return resultsOf(run).map(r => [r.workflow, r.outcome])
}

/** `duration-seconds`: a plain number of seconds. */
function durationSecondsOf(run: ActionRun): number {
  expect(run.outputs['duration-seconds']).toMatch(/^\d+(\.\d+)?$/)
  return Number(run.outputs['duration-seconds'])
}

/** Every execute request the server received, created a job or not, as [workflow, status]. */
function executeRequests(log: readonly RequestLogEntry[]): Array<[string | undefined, unknown]> {
  return log.filter(e => e.route === 'execute').map(e => [e.workflow, e.status])
}

/**
 * Each job's life as the request log shows it: from the execute request that created it to the
 * last request about it (the status check that saw it end, or its cancel). A client that waits
 * for a job to end before it starts the next phase (or refills a max-parallel slot) can only send
 * that next execute after this last request, so these intervals — not just the server's own job
 * table — must show the phases in order and no more jobs in flight than allowed.
 */
function jobsSeenInLog(log: readonly RequestLogEntry[]): JobInterval[] {
  return log
    .filter(e => e.route === 'execute' && e.jobId !== undefined && e.workflow !== undefined)
    .map(execute => {
      const later = log.filter(
        e => (e.route === 'job' || e.route === 'cancel') && e.jobId === execute.jobId
      )
      return {
        jobId: execute.jobId as string,
        workflow: execute.workflow as string,
        submittedAt: execute.time,
        endedAt: later.at(-1)?.time ?? null
      }
    })
}

/** The job ids in the `results` output are those the server created for each workflow. */
function expectJobIdsFromServer(run: ActionRun, log: readonly RequestLogEntry[]): void {
  const created = log
    .filter(e => e.route === 'execute' && e.jobId !== undefined)
    .map(e => [e.workflow, e.jobId])
  const reported = resultsOf(run)
    .filter(r => r.jobId !== null)
    .map(r => [r.workflow, r.jobId])
  expect(reported.sort()).toEqual(created.sort())
}

const once = (labels: readonly string[]): Record<string, number> =>
  Object.fromEntries(labels.map(l => [l, 1]))

/** The summary's table row of one workflow, up to and including its outcome cell. */
const row = (workflow: string, job: string | null, outcome: string): string =>
  `| \`${workflow}\` | ${job ?? '—'} | ${outcome} |`

describe('the bundled action against the simulator', () => {
  it('is built: dist/index.js exists (run npm run build)', () => {
    expect(existsSync(ACTION_BUNDLE)).toBe(true)
  })

  it('runs the vendor-shaped four-phase plan to success', async () => {
    const sim = await start(scenario(VENDOR_WORKFLOWS))
    const run = await runAction(inputs(sim))

    // Exit code
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)

    // Outputs
    expect(run.outputs.result).toBe('success')
    expect(run.outputs['failed-workflows']).toBe('')
    // The plan cannot take less than its longest workflow per phase: 0.4 + 0.6 + 0.5 + 0.2 s.
    expect(durationSecondsOf(run)).toBeGreaterThanOrEqual(1.7)
    const results = resultsOf(run)
    expect(results.map(r => [r.phase, r.workflow, r.outcome, r.state])).toEqual(
      VENDOR.flatMap((phase, i) => phase.map(w => [i + 1, w, 'success', 'COMPLETED']))
    )
    expect(results.map(r => r.durationSeconds)).toEqual([0.4, 0.3, 0.6, 0.2, 0.3, 0.5, 0.2])

    // Request log: each workflow executed exactly once, phase after phase, at most 3 at once.
    const log = sim.log()
    expectWholeVendorPlanOnce(run, log)
    expect(log.filter(e => e.route === 'cancel')).toEqual([])
    expect(log.every(e => e.status === 200 || e.status === 201)).toBe(true)

    // Summary
    expect(run.summary).toContain('## ✅ Data Studio workflows succeeded')
    expect(run.summary).toMatch(/success — all 7 workflows succeeded in \d/)
    for (let phase = 1; phase <= 4; phase++) {
      expect(run.summary).toContain(`### Phase ${phase} of 4 — ✅ succeeded`)
      expect(run.stdout).toContain(`::group::Phase ${phase} of 4:`)
    }
    for (const r of results) expect(run.summary).toContain(row(r.workflow, r.jobId, '✅ success'))
    expect(run.summary).toContain(
      '| `wf3` | Validate addresses | COMPLETED | rowCount 900, failedRowCount 4 |'
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
    const reason = "Data Studio reported FAILED in step 'Validate addresses': Address rules failed"
    const notStarted = 'not started: phase 2 failed (wf3) and fail-fast is on'

    // Exit code
    expect(run.stderr).toBe('')
    expect(run.code).toBe(1)

    // Outputs
    expect(run.outputs.result).toBe('failure')
    expect(run.outputs['failed-workflows']).toBe('wf3')
    durationSecondsOf(run)
    const results = resultsOf(run)
    expect(results.map(r => [r.workflow, r.outcome, r.state, r.reason])).toEqual([
      ['wf1', 'success', 'COMPLETED', null],
      ['wf2', 'success', 'COMPLETED', null],
      ['wf3', 'failed', 'FAILED', reason],
      ['wf4', 'success', 'COMPLETED', null],
      ['wf5', 'skipped', null, notStarted],
      ['wf6', 'skipped', null, notStarted],
      ['wf7', 'skipped', null, notStarted]
    ])
    expect(results.slice(4).map(r => r.jobId)).toEqual([null, null, null])

    // Request log: phases 1 and 2 once each, in order; phases 3 and 4 never asked for.
    const log = sim.log()
    expect(executionsPerWorkflow(log)).toEqual(once(['wf1', 'wf2', 'wf3', 'wf4']))
    expect(executeRequests(log).map(([w]) => w)).toEqual(['wf1', 'wf2', 'wf3', 'wf4'])
    expectJobIdsFromServer(run, log)
    const jobs = jobsSeenInLog(log)
    expect(phasesOrdered(jobs, VENDOR)).toEqual({ ok: true, violations: [] })
    expect(peakConcurrency(jobs)).toBe(3)
    // The failing phase's other workflows ran to their end: nothing was cancelled.
    expect(log.filter(e => e.route === 'cancel')).toEqual([])

    // Summary
    expect(run.summary).toContain('## ❌ Data Studio workflows failed')
    expect(run.summary).toContain(
      '1 workflow did not succeed: wf3 (failed); 3 not started: wf5, wf6, wf7'
    )
    expect(run.summary).toContain('### Phase 1 of 4 — ✅ succeeded')
    expect(run.summary).toContain('### Phase 2 of 4 — ❌ failed')
    expect(run.summary).toContain(row('wf3', results[2]?.jobId ?? '?', '❌ failed'))
    expect(run.summary).toContain(reason)
    expect(run.summary).toContain('| `wf3` | Validate addresses | FAILED |')
    expect(run.summary).toContain('### Phase 3 of 4 — ⏭️ skipped')
    expect(run.summary).toContain('### Phase 4 of 4 — ⏭️ skipped')
    expect(run.summary).toContain('Not started: phase 2 failed (wf3) and fail-fast is on.')
    for (const w of ['wf5', 'wf6', 'wf7']) expect(run.summary).toContain(row(w, null, '⏭️ skipped'))

    // Log
    expect(run.stdout).toContain('::error title=Data Studio workflow wf3%3A failed::')
    expect(run.stdout).toContain('Address rules failed')
    expect(run.stdout).toContain(
      '::error::1 workflow did not succeed: wf3 (failed); 3 not started: wf5, wf6, wf7'
    )
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

    // Exit code
    expect(run.stderr).toBe('')
    expect(run.code).toBe(1)

    // Outputs
    expect(run.outputs.result).toBe('failure')
    expect(run.outputs['failed-workflows']).toBe('wf3')
    durationSecondsOf(run)
    const results = resultsOf(run)
    expect(outcomesOf(run)).toEqual(VENDOR.flat().map(w => [w, w === 'wf3' ? 'failed' : 'success']))
    expect(results.every(r => r.jobId !== null)).toBe(true)

    // Request log: every workflow once, phase after phase, despite the failure.
    const log = sim.log()
    expectWholeVendorPlanOnce(run, log)

    // Summary: phase 2 failed, every other phase ran and succeeded, nothing skipped.
    expect(run.summary).toContain('## ❌ Data Studio workflows failed')
    expect(run.summary).toMatch(
      /failure after [\d.]+m?s — 1 workflow did not succeed: wf3 \(failed\)\n/
    )
    expect(run.summary).toContain('### Phase 2 of 4 — ❌ failed')
    for (const phase of [1, 3, 4]) {
      expect(run.summary).toContain(`### Phase ${phase} of 4 — ✅ succeeded`)
    }
    expect(run.summary).toContain(row('wf3', results[2]?.jobId ?? '?', '❌ failed'))
    expect(run.summary).toContain(row('wf7', results[6]?.jobId ?? '?', '✅ success'))
    expect(run.summary).not.toContain('skipped')
    expect(run.summary).not.toContain('not started')
  })

  it('cancels a job on the server when it outlives max-duration', async () => {
    const sim = await start(
      scenario(`
  stuck: { duration: never }
  quick: { duration: 100ms }`)
    )
    const run = await runAction(inputs(sim, { phases: 'stuck, quick', 'max-duration': '1500ms' }))

    // Exit code
    expect(run.stderr).toBe('')
    expect(run.code).toBe(1)

    // Outputs: the timed-out job's state is the one the cancel answered with.
    expect(run.outputs.result).toBe('failure')
    expect(run.outputs['failed-workflows']).toBe('stuck')
    expect(durationSecondsOf(run)).toBeGreaterThanOrEqual(1.5)
    const results = resultsOf(run)
    expect(outcomesOf(run)).toEqual([
      ['stuck', 'timed-out'],
      ['quick', 'success']
    ])
    const stuckJob = results[0]?.jobId
    expect(results[0]?.reason).toContain('after max-duration 1.5s')
    expect(results[0]?.reason).toContain(`job ${stuckJob} cancelled in Data Studio`)
    expect(results.map(r => r.state)).toEqual(['CANCELLED', 'COMPLETED'])

    // Request log: each executed once; exactly one cancel, for the stuck job, no sooner than
    // max-duration after its execute, and no status check of it after the cancel.
    const log = sim.log()
    expect(executionsPerWorkflow(log)).toEqual({ stuck: 1, quick: 1 })
    expectJobIdsFromServer(run, log)
    const cancels = log.filter(e => e.route === 'cancel')
    expect(cancels.map(e => [e.jobId, e.status])).toEqual([[stuckJob, 200]])
    const executed = log.find(e => e.route === 'execute' && e.workflow === 'stuck')
    expect(cancels[0]!.sinceStartMs - executed!.sinceStartMs).toBeGreaterThanOrEqual(1500)
    const afterCancel = log.slice(log.indexOf(cancels[0]!) + 1)
    expect(afterCancel.filter(e => e.jobId === stuckJob)).toEqual([])
    expect(peakConcurrency(jobsSeenInLog(log))).toBe(2)
    // …and the server holds the job cancelled.
    expect(sim.stats().jobs.find(j => j.jobId === stuckJob)?.state).toBe('CANCELLED')

    // Summary
    expect(run.summary).toContain('## ❌ Data Studio workflows failed')
    expect(run.summary).toContain('1 workflow did not succeed: stuck (timed-out)')
    expect(run.summary).toContain('### Phase 1 of 1 — ❌ failed')
    // The time it ran is whenever the cancel went out: at max-duration, or a little later.
    expect(run.summary).toMatch(
      new RegExp(`\\| \`stuck\` \\| ${stuckJob} \\| ⏱️ timed-out \\| 1\\.\\d+s \\| ≤ 1\\.5s \\|`)
    )
    expect(run.summary).toContain(`job ${stuckJob} cancelled in Data Studio |`)
    expect(run.summary).toContain(
      `${row('quick', results[1]?.jobId ?? '?', '✅ success')} 100ms | ≤ 1.5s |`
    )

    // Log
    expect(run.stdout).toContain('::error title=Data Studio workflow stuck%3A timed-out::')
  })

  it('fails a workflow that completes sooner than min-duration', async () => {
    const sim = await start(scenario('  empty: { duration: 100ms }'))
    const run = await runAction(inputs(sim, { phases: 'empty', 'min-duration': '1m' }))
    const reason =
      'completed in 100ms, sooner than min-duration 1m: check that its sources were not empty'

    // Exit code
    expect(run.stderr).toBe('')
    expect(run.code).toBe(1)

    // Outputs
    expect(run.outputs.result).toBe('failure')
    expect(run.outputs['failed-workflows']).toBe('empty')
    durationSecondsOf(run)
    const results = resultsOf(run)
    expect(results.map(r => [r.workflow, r.outcome, r.state, r.reason, r.durationSeconds])).toEqual(
      [['empty', 'too-fast', 'COMPLETED', reason, 0.1]]
    )

    // Request log: executed once, followed to its end, never cancelled (it had ended).
    const log = sim.log()
    expect(executionsPerWorkflow(log)).toEqual({ empty: 1 })
    expectJobIdsFromServer(run, log)
    expect(log.filter(e => e.route === 'cancel')).toEqual([])
    expect(log.filter(e => e.route === 'job').every(e => e.jobId === results[0]?.jobId)).toBe(true)
    expect(log.every(e => e.status === 200 || e.status === 201)).toBe(true)

    // Summary
    expect(run.summary).toContain('## ❌ Data Studio workflows failed')
    expect(run.summary).toContain('1 workflow did not succeed: empty (too-fast)')
    expect(run.summary).toContain(
      `${row('empty', results[0]?.jobId ?? '?', '⚡ too-fast')} 100ms | ≥ 1m | ${reason} |`
    )

    // Log
    expect(run.stdout).toContain('sooner than min-duration 1m')
    expect(run.stdout).toContain('::error title=Data Studio workflow empty%3A too-fast::')
  })

  it('explains a wrong key (401) and never prints it', async () => {
    const sim = await start(scenario(VENDOR_WORKFLOWS, 'echoAuthorization: true'))
    const wrong = 'wrong-Key-123456'
    const run = await runAction(inputs(sim, { 'api-key': wrong }))
    const refused = "Data Studio refused the API key (401) for environment 'default'"

    // Exit code
    expect(run.stderr).toBe('')
    expect(run.code).toBe(1)

    // Outputs: the refused workflow failed, every later one is skipped; no job anywhere.
    expect(run.outputs.result).toBe('failure')
    expect(run.outputs['failed-workflows']).toBe('wf1')
    durationSecondsOf(run)
    const results = resultsOf(run)
    expect(outcomesOf(run)).toEqual(VENDOR.flat().map(w => [w, w === 'wf1' ? 'failed' : 'skipped']))
    expect(results.every(r => r.jobId === null && r.state === null)).toBe(true)
    expect(results[0]?.reason).toContain(refused)
    expect(results[0]?.reason).toContain(
      "Check that 'api-key' is a key created in that environment"
    )
    expect(results[1]?.reason).toBe('not started: Data Studio refused the API key (401)')

    // Request log: the first refusal stops the run — one execute, answered 401, no job.
    const log = sim.log()
    expect(executionsPerWorkflow(log)).toEqual({})
    expect(executeRequests(log)).toEqual([['wf1', 401]])
    expect(log).toHaveLength(1)

    // Summary
    expect(run.summary).toContain('## ❌ Data Studio workflows failed')
    expect(run.summary).toContain(
      '1 workflow did not succeed: wf1 (failed); 6 not started: wf2, wf3, wf4, wf5, wf6, wf7'
    )
    expect(run.summary).toContain('### Phase 1 of 4 — ❌ failed')
    expect(run.summary).toContain(row('wf1', null, '❌ failed'))
    expect(run.summary).toContain(refused)
    for (let phase = 2; phase <= 4; phase++) {
      expect(run.summary).toContain(`### Phase ${phase} of 4 — ⏭️ skipped`)
    }
    expect(run.summary).toContain('Not started: Data Studio refused the API key (401).')

    // Log, and the key nowhere — though this server quotes the Authorization header back.
    expect(run.stdout).toContain(refused)
    expect(run.stdout).toContain('Authorization received: default ***')
    expect(run.masked).toEqual([wrong])
    expect(run.everything).not.toContain(wrong)
    expect(run.everything).not.toContain(KEY)
  })

  it('explains an unknown workflow label (404)', async () => {
    const sim = await start(scenario(VENDOR_WORKFLOWS))
    const run = await runAction(inputs(sim, { phases: 'wf1, wf_typo' }))
    const unknown =
      "Data Studio has no workflow with external label 'wf_typo' in environment 'default'"

    // Exit code
    expect(run.stderr).toBe('')
    expect(run.code).toBe(1)

    // Outputs: the unknown label failed without a job; its phase-mate ran to success.
    expect(run.outputs.result).toBe('failure')
    expect(run.outputs['failed-workflows']).toBe('wf_typo')
    durationSecondsOf(run)
    const results = resultsOf(run)
    expect(results.map(r => [r.workflow, r.outcome, r.jobId === null])).toEqual([
      ['wf1', 'success', false],
      ['wf_typo', 'failed', true]
    ])
    expect(results[1]?.reason).toContain(unknown)
    expect(results[1]?.reason).toContain("Check the workflow's external label in Data Studio")

    // Request log: wf_typo asked for once (a 404 is not retried) and created no job.
    const log = sim.log()
    expect(executionsPerWorkflow(log)).toEqual({ wf1: 1 })
    expect(executeRequests(log).sort()).toEqual([
      ['wf1', 201],
      ['wf_typo', 404]
    ])
    expectJobIdsFromServer(run, log)
    expect(log.filter(e => e.route === 'cancel')).toEqual([])

    // Summary
    expect(run.summary).toContain('## ❌ Data Studio workflows failed')
    expect(run.summary).toContain('1 workflow did not succeed: wf_typo (failed)')
    expect(run.summary).toContain('### Phase 1 of 1 — ❌ failed')
    expect(run.summary).toContain(row('wf1', results[0]?.jobId ?? '?', '✅ success'))
    expect(run.summary).toContain(row('wf_typo', null, '❌ failed'))
    expect(run.summary).toContain(unknown)

    // Log
    expect(run.stdout).toContain(unknown)
    expect(run.stdout).toContain('::error title=Data Studio workflow wf_typo%3A failed::')
  })

  it('holds a phase to max-parallel, as the server sees it', async () => {
    const labels = ['a', 'b', 'c', 'd', 'e']
    const sim = await start(scenario(labels.map(l => `  ${l}: { duration: 300ms }`).join('\n')))
    const run = await runAction(inputs(sim, { phases: labels.join(','), 'max-parallel': '2' }))

    // Exit code
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)

    // Outputs
    expect(run.outputs.result).toBe('success')
    expect(run.outputs['failed-workflows']).toBe('')
    // Five 300 ms jobs, two at a time: at least three rounds.
    expect(durationSecondsOf(run)).toBeGreaterThanOrEqual(0.9)
    expect(outcomesOf(run)).toEqual(labels.map(l => [l, 'success']))

    // Request log: each once, never more than two in flight, and a freed slot was refilled.
    const log = sim.log()
    expect(executionsPerWorkflow(log)).toEqual(once(labels))
    expectJobIdsFromServer(run, log)
    const jobs = jobsSeenInLog(log)
    expect(peakConcurrency(jobs)).toBe(2)
    expect(peakConcurrency(sim.stats().jobs)).toBe(2)

    // Summary
    expect(run.summary).toContain('## ✅ Data Studio workflows succeeded')
    expect(run.summary).toContain('success — all 5 workflows succeeded')
    expect(run.summary).toContain('### Phase 1 of 1 — ✅ succeeded')
    for (const r of resultsOf(run)) {
      expect(run.summary).toContain(row(r.workflow, r.jobId, '✅ success'))
    }
  })

  it('rejects a bad input before sending a single request', async () => {
    const sim = await start(scenario(VENDOR_WORKFLOWS))
    const run = await runAction(inputs(sim, { phases: "@('wf1'), @('wf2','wf2')" }))

    // Exit code and the message naming the input
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("::error::Input 'phases': phase 2 lists 'wf2' twice")
    // Outputs and summary: later steps and the run page still learn what happened.
    expect(run.outputs.result).toBe('failure')
    expect(run.outputs.results).toBe('[]')
    expect(run.outputs['failed-workflows']).toBe('')
    expect(run.summary).toContain('## ❌ Data Studio run not started')
    expect(run.summary).toContain("Input 'phases': phase 2 lists 'wf2' twice")
    // Request log: nothing at all reached the server.
    expect(sim.log()).toEqual([])
  })

  it('fails cleanly on a missing input', async () => {
    const run = await runAction({})
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("::error::Input 'server-url' is required and was not given.")
    expect(run.outputs.result).toBe('failure')
    expect(run.summary).toContain("Input 'server-url' is required and was not given.")
  })
})
