#!/usr/bin/env node
// The performance benchmark (issue 5). Drives the BUNDLED action, dist/index.js, as a child
// process — exactly as a runner runs it — against the bundled simulator, dist/simulator/index.js,
// on 127.0.0.1, next to a fixed-interval baseline poller (bench/baseline.mjs), and prints one
// Markdown table measured in this run. See docs/benchmarks.md.
//
//   npm run bench                                   everything (about 9 minutes), table on stdout
//   npm run bench -- --markdown docs/benchmarks.md  also write the table into that file
//   options: --runs <n>            runs of the short plan and of the cold start (default 3 and 7)
//            --long-runs <n>       runs of each poller on the 2-minute job, all at once (default 5)
//            --wide-runs <n>       runs of the 500-workflow phase, each heap setting (default 3)
//            --cases short,long,wide,cold   a subset of the cases
//            --action <file>       bench another build of the action (a modified copy)
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import {
  API_KEY,
  BASELINE_SCRIPT,
  entryMs,
  listScheduleMs,
  machine,
  median,
  ms,
  progress,
  root,
  runProcess,
  sleep,
  startConnectionCounter,
  snapshotBundles,
  startSimulator
} from './lib.mjs'

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string' },
    cases: { type: 'string', default: 'short,long,wide,cold' },
    action: { type: 'string' },
    markdown: { type: 'string' },
    'long-runs': { type: 'string' },
    'wide-runs': { type: 'string' }
  }
})
const cases = new Set(args.cases.split(',').map(c => c.trim()))
const shortRuns = Math.max(1, Math.min(20, Number(args.runs ?? 3)))
const coldRuns = Math.max(1, Math.min(20, Number(args.runs ?? 7)))
const longRuns = Math.max(1, Math.min(10, Number(args['long-runs'] ?? 5)))
const wideRuns = Math.max(1, Math.min(10, Number(args['wide-runs'] ?? 3)))
if (args.action !== undefined && !existsSync(resolve(args.action))) {
  throw new Error(`no action bundle at ${resolve(args.action)}`)
}
const snapshot = snapshotBundles(args.action === undefined ? undefined : resolve(args.action))
const action = snapshot.action
const DEFAULT_POLL_INTERVAL_S = 10 // the action's poll-interval default (action.yml, README)
const benchStarted = Date.now()

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

const s = (value, digits = 2) => (Number.isFinite(value) ? (value / 1000).toFixed(digits) : 'n/a')
const num = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a')
/** "median (min–max)" of a list of milliseconds, in seconds, with the run count. */
function spread(values, digits = 2) {
  const finite = values.filter(Number.isFinite)
  if (finite.length <= 1) return s(finite[0], digits)
  return `${s(median(finite), digits)} (${s(Math.min(...finite), digits)}–${s(Math.max(...finite), digits)})`
}
/** "median (min–max)" of a list of plain numbers (counts, ratios, MiB). */
function count(values, digits = 0) {
  const finite = values.filter(Number.isFinite)
  if (finite.length <= 1) return num(finite[0], digits)
  const [low, high] = [Math.min(...finite), Math.max(...finite)]
  if (low === high) return num(low, digits)
  return `${num(median(finite), digits)} (${num(low, digits)}–${num(high, digits)})`
}
const met = ok => (ok === undefined ? '' : ok ? '✅ met' : '❌ missed')

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

/** Four phases shaped like the vendor example (1, then 3, then 2, then 1), 0.5–5 s each. */
const SHORT = {
  queuedMs: 300,
  phases: [
    [['wf1', 2000]],
    [
      ['wf2', 3000],
      ['wf3', 4000],
      ['wf4', 500]
    ],
    [
      ['wf5', 2500],
      ['wf6', 1000]
    ],
    [['wf7', 1500]]
  ]
}

function scenarioOf(queuedMs, jobs) {
  return {
    description: 'benchmark',
    defaults: { queued: ms(queuedMs) },
    workflows: Object.fromEntries(
      jobs.map(([label, durationMs]) => [label, { duration: ms(durationMs) }])
    )
  }
}

function phasesInput(phases) {
  return phases.map(phase => phase.map(([label]) => label).join(', ')).join('\n')
}

function actionInputs(url, phases, extra = {}) {
  return { 'server-url': url, 'api-key': API_KEY, phases, ...extra }
}

/** The configured end of each job (submittedAt + queued + duration), from /_sim/stats. */
function jobsByWorkflow(stats) {
  return new Map(stats.jobs.map(job => [job.workflow, job]))
}

// ---------------------------------------------------------------------------------------------
// 1. Short workflows: overhead per phase
// ---------------------------------------------------------------------------------------------

async function runShortOnce(poller) {
  const jobs = SHORT.phases.flat()
  const sim = await startSimulator(scenarioOf(SHORT.queuedMs, jobs))
  try {
    const inputs = actionInputs(sim.url, phasesInput(SHORT.phases), poller.inputs)
    const run = await runProcess(poller.script, inputs, { timeoutMs: 180_000 })
    const [log, stats] = await Promise.all([sim.log(), sim.stats()])
    const ends = jobsByWorkflow(stats)
    const firstRequest = log.length > 0 ? entryMs(log[0]) : NaN
    // Gaps: from the configured end of a phase's last job to the next phase's first execute (and,
    // for the last phase, to the process's exit): the detection delay the poller adds.
    const gaps = SHORT.phases.map((phase, k) => {
      const end = Math.max(...phase.map(([label]) => Date.parse(ends.get(label)?.endedAt ?? '')))
      const nextStart =
        k + 1 < SHORT.phases.length
          ? Math.min(
              ...SHORT.phases[k + 1].map(([l]) => Date.parse(ends.get(l)?.submittedAt ?? ''))
            )
          : run.exitedAt
      return nextStart - end
    })
    return {
      ok: run.code === 0,
      wallMs: run.wallMs,
      fromFirstMs: run.exitedAt - firstRequest,
      startupMs: firstRequest - run.spawnedAt,
      statusRequests: log.filter(e => e.route === 'job').length,
      gaps
    }
  } finally {
    await sim.stop()
  }
}

async function benchShort() {
  const criticalMs = SHORT.phases.reduce(
    (sum, phase) => sum + Math.max(...phase.map(([, d]) => SHORT.queuedMs + d)),
    0
  )
  const pollers = [
    { name: 'action', script: action, inputs: {} },
    { name: 'base5', script: BASELINE_SCRIPT, inputs: { 'poll-interval': '5s' } },
    { name: 'base10', script: BASELINE_SCRIPT, inputs: { 'poll-interval': '10s' } }
  ]
  const results = Object.fromEntries(pollers.map(p => [p.name, []]))
  // Interleaved, so that a noisy moment of the machine hits every poller alike.
  for (let run = 1; run <= shortRuns; run++) {
    for (const poller of pollers) {
      progress(`short plan: ${poller.name}, run ${run}/${shortRuns}`)
      const result = await runShortOnce(poller)
      progress(
        `  wall ${s(result.wallMs)} s (critical path ${s(criticalMs)} s), gaps ${result.gaps.map(g => s(g)).join(' / ')} s${result.ok ? '' : ' — FAILED'}`
      )
      results[poller.name].push(result)
    }
  }
  return { criticalMs, phases: SHORT.phases.length, workflows: SHORT.phases.flat().length, results }
}

// ---------------------------------------------------------------------------------------------
// 2. One 2-minute job: status requests and end-to-exit delay
// ---------------------------------------------------------------------------------------------

/** Run i's job: 120 s, offset by (i − middle) × poll-interval ÷ runs. */
function longDurationMs(run) {
  const step = (DEFAULT_POLL_INTERVAL_S * 1000) / longRuns
  return Math.round(120_000 + (run - (longRuns - 1) / 2) * step)
}

/** One poller against its own simulator with one job of about 2 minutes (100 ms queued). */
async function runLongOnce(poller, durationMs) {
  const sim = await startSimulator(scenarioOf(100, [['long', durationMs]]))
  try {
    const inputs = actionInputs(sim.url, 'long', poller.inputs)
    const run = await runProcess(poller.script, inputs, { timeoutMs: 240_000 })
    const [log, stats] = await Promise.all([sim.log(), sim.stats()])
    const job = stats.jobs[0]
    const statusEntries = log.filter(e => e.route === 'job')
    const endMs = Date.parse(job?.endedAt ?? '')
    return {
      ok: run.code === 0,
      statusRequests: statusEntries.length,
      delayMs: run.exitedAt - endMs,
      detectMs: entryMs(statusEntries.at(-1) ?? { time: '' }) - endMs,
      wallMs: run.wallMs
    }
  } finally {
    await sim.stop()
  }
}

/**
 * Every poller, `longRuns` times each, all at once — each run against its own simulator, so that
 * the case takes about 2 minutes rather than 2 minutes a run. The runs are started 0.3 s apart so
 * that their spawns and ends do not all fall in the same instant on a 2-core machine; a run is
 * mostly asleep between two checks, so they hardly compete.
 *
 * Run i's job lasts 120 s plus an offset, the offsets spread evenly over one default
 * poll-interval (116, 118, 120, 122, 124 s for 5 runs), the same for every poller: a fixed-interval
 * poller's checks fall at the same ages in every run, so with one job length its delay would be
 * the same figure — good or bad by luck of alignment — every time.
 */
async function benchLong() {
  const pollers = [
    { name: 'action', script: action, inputs: {} },
    { name: 'base5', script: BASELINE_SCRIPT, inputs: { 'poll-interval': '5s' } },
    { name: 'base10', script: BASELINE_SCRIPT, inputs: { 'poll-interval': '10s' } }
  ]
  progress(
    `2-minute job: ${longRuns} runs of each poller at once, each with its own simulator (about 2 minutes)`
  )
  const runs = []
  let k = 0
  for (let run = 0; run < longRuns; run++) {
    const durationMs = longDurationMs(run)
    for (const poller of pollers) {
      const startAfter = 300 * k++
      runs.push(
        sleep(startAfter).then(async () => ({
          name: poller.name,
          durationMs,
          ...(await runLongOnce(poller, durationMs))
        }))
      )
    }
  }
  const all = await Promise.all(runs)
  const results = Object.fromEntries(pollers.map(p => [p.name, all.filter(r => r.name === p.name)]))
  for (const poller of pollers) {
    const r = results[poller.name]
    progress(
      `  ${poller.name}: status requests ${r.map(x => x.statusRequests).join(', ')}; exit after the job's end ${r.map(x => s(x.delayMs)).join(', ')} s${r.every(x => x.ok) ? '' : ' — A RUN FAILED'}`
    )
  }
  return { runs: longRuns, results }
}

// ---------------------------------------------------------------------------------------------
// 3. 500 workflows, max-parallel 50
// ---------------------------------------------------------------------------------------------

const WIDE_SLOTS = 50
const WIDE_QUEUED_MS = 100
const CAPPED_HEAP_MIB = 24

/** `count` workflows of 1–3 s, spread evenly in a shuffled but repeatable order (golden ratio). */
function wideJobs(count) {
  return Array.from({ length: count }, (_, i) => [
    `w${String(i + 1).padStart(3, '0')}`,
    Math.round(1000 + 2000 * ((i * 0.6180339887) % 1))
  ])
}

/**
 * One phase of `jobs` with max-parallel 50, through the connection-counting proxy; `heapMiB`
 * caps V8's old space (NODE_OPTIONS=--max-old-space-size), or undefined for Node's default.
 */
async function runWideOnce(jobs, heapMiB) {
  const sim = await startSimulator(scenarioOf(WIDE_QUEUED_MS, jobs))
  const counter = await startConnectionCounter(sim.port)
  try {
    const run = await runProcess(
      action,
      actionInputs(counter.url, jobs.map(([label]) => label).join(', '), {
        'max-parallel': String(WIDE_SLOTS)
      }),
      {
        timeoutMs: 300_000,
        env: heapMiB === undefined ? {} : { NODE_OPTIONS: `--max-old-space-size=${heapMiB}` }
      }
    )
    const [log, stats] = await Promise.all([sim.log(), sim.stats()])
    const first = entryMs(log[0])
    const last = entryMs(log.at(-1))
    const perSecond = new Map()
    for (const entry of log) {
      const second = Math.floor((entryMs(entry) - first) / 1000)
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1)
    }
    const at = fraction => run.rssSamples[Math.floor(fraction * (run.rssSamples.length - 1))]
    return {
      ok: run.code === 0,
      wallMs: run.wallMs,
      fromFirstMs: run.exitedAt - first,
      peakRunning: stats.peakRunning,
      peakKiB: run.peakKiB,
      rssKiB: [0.1, 0.5, 0.9].map(at),
      requests: log.length,
      statusRequests: log.filter(e => e.route === 'job').length,
      requestsPerSecond: log.length / ((last - first) / 1000),
      peakRequestsPerSecond: Math.max(...perSecond.values()),
      connections: counter.counts.opened,
      peakOpenConnections: counter.counts.peakOpen
    }
  } finally {
    await counter.stop()
    await sim.stop()
  }
}

/**
 * The 500-workflow phase `wideRuns` times with Node's default heap and as many with V8's old
 * space capped at 24 MiB, interleaved; then a 100-workflow phase once with each. If the action
 * only retained what it needs, the capped runs are just as fast, and their RSS is the same for
 * 100 and for 500 workflows and does not climb during the phase — any growth in the uncapped
 * runs is garbage V8 has not collected yet (it collects lazily while memory is plentiful).
 */
async function benchWide() {
  const jobs = wideJobs(500)
  const criticalMs = listScheduleMs(
    jobs.map(([, d]) => WIDE_QUEUED_MS + d),
    WIDE_SLOTS
  )
  const results = { default: [], capped: [] }
  for (let run = 1; run <= wideRuns; run++) {
    for (const [key, heapMiB] of [
      ['default', undefined],
      ['capped', CAPPED_HEAP_MIB]
    ]) {
      progress(
        `500 workflows, max-parallel ${WIDE_SLOTS}, ${heapMiB === undefined ? 'default heap' : `--max-old-space-size=${heapMiB}`}: run ${run}/${wideRuns} (critical path ${s(criticalMs)} s)`
      )
      const result = await runWideOnce(jobs, heapMiB)
      progress(
        `  wall ${s(result.wallMs)} s, peakRunning ${result.peakRunning}, peak RSS ${num(result.peakKiB / 1024)} MiB (RSS at 10/50/90 %: ${result.rssKiB.map(k => num(k / 1024, 0)).join(' / ')}), ${num(result.requestsPerSecond)} req/s, ${result.connections} connections${result.ok ? '' : ' — FAILED'}`
      )
      results[key].push(result)
    }
  }
  const small = {}
  for (const [key, heapMiB] of [
    ['default', undefined],
    ['capped', CAPPED_HEAP_MIB]
  ]) {
    progress(
      `100 workflows, max-parallel ${WIDE_SLOTS}, ${heapMiB === undefined ? 'default heap' : `--max-old-space-size=${heapMiB}`}`
    )
    small[key] = await runWideOnce(wideJobs(100), heapMiB)
    progress(`  wall ${s(small[key].wallMs)} s, peak RSS ${num(small[key].peakKiB / 1024)} MiB`)
  }
  return {
    count: jobs.length,
    smallCount: 100,
    slots: WIDE_SLOTS,
    heapMiB: CAPPED_HEAP_MIB,
    criticalMs,
    results,
    small
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Cold start and bundle size
// ---------------------------------------------------------------------------------------------

function spawnToExit(argv) {
  return new Promise((done, reject) => {
    const started = Date.now()
    const child = spawn(process.execPath, argv, { stdio: 'ignore' })
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('error', reject)
    child.on('exit', () => {
      clearTimeout(killer)
      done(Date.now() - started)
    })
  })
}

async function benchCold() {
  const sim = await startSimulator(scenarioOf(0, [['tiny', 100]]))
  const toFirstRequest = []
  const bare = []
  try {
    let seen = 0
    for (let run = 1; run <= coldRuns; run++) {
      progress(`cold start: run ${run}/${coldRuns}`)
      bare.push(await spawnToExit(['-e', '0']))
      const result = await runProcess(action, actionInputs(sim.url, 'tiny'), { timeoutMs: 30_000 })
      const log = await sim.log()
      const first = log[seen]
      seen = log.length
      toFirstRequest.push(first === undefined ? NaN : entryMs(first) - result.spawnedAt)
    }
  } finally {
    await sim.stop()
  }
  const bytes = statSync(action).size
  return { toFirstRequest, bare, bytes }
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

function table(results) {
  const rows = []
  const row = (...cells) => rows.push(`| ${cells.join(' | ')} |`)
  if (results.short) {
    const { criticalMs, phases, workflows, results: r } = results.short
    const overhead = runs => runs.map(x => (x.wallMs - criticalMs) / phases)
    const overheadWarm = runs => runs.map(x => (x.fromFirstMs - criticalMs) / phases)
    const med = runs => median(overhead(runs))
    const allOk = ['action', 'base5', 'base10'].every(k => r[k].every(x => x.ok))
    const label = `1. Short plan (${workflows} workflows, phases 1+3+2+1, 0.5–5 s; runs: ${shortRuns})`
    row(label, 'critical path (configured)', s(criticalMs), s(criticalMs), s(criticalMs), '', '')
    row(
      '',
      'wall time, spawn → exit (s)',
      ...['action', 'base5', 'base10'].map(k => spread(r[k].map(x => x.wallMs))),
      '',
      ''
    )
    row(
      '',
      'wall time, first request → exit (s)',
      ...['action', 'base5', 'base10'].map(k => spread(r[k].map(x => x.fromFirstMs))),
      '',
      ''
    )
    const actionOverhead = med(r.action)
    row(
      '',
      '**overhead per phase** = (wall − critical path) ÷ phases (s)',
      ...['action', 'base5', 'base10'].map(k => `**${spread(overhead(r[k]), 3)}**`),
      '≤ 0.300 (action)',
      met(actionOverhead <= 300 && allOk)
    )
    row(
      '',
      'overhead per phase, excluding process start-up (s)',
      ...['action', 'base5', 'base10'].map(k => spread(overheadWarm(r[k]), 3)),
      '',
      ''
    )
    row(
      '',
      'overhead ratio, action ÷ baseline',
      '—',
      num(actionOverhead / med(r.base5), 3),
      num(actionOverhead / med(r.base10), 3),
      '',
      ''
    )
    row(
      '',
      'detection gap per phase, end of its last job → next phase (or exit) (s, median)',
      ...['action', 'base5', 'base10'].map(k =>
        Array.from({ length: phases }, (_, i) => s(median(r[k].map(x => x.gaps[i])))).join(' / ')
      ),
      '',
      ''
    )
    row(
      '',
      'process start-up, spawn → first request (s)',
      ...['action', 'base5', 'base10'].map(k =>
        spread(
          r[k].map(x => x.startupMs),
          3
        )
      ),
      '',
      ''
    )
    row(
      '',
      'status requests per workflow',
      ...['action', 'base5', 'base10'].map(k =>
        num(median(r[k].map(x => x.statusRequests)) / workflows)
      ),
      '',
      ''
    )
    if (!allOk) row('', '⚠ a run did not succeed', '', '', '', '', '')
  }
  if (results.long) {
    const { runs, results: r } = results.long
    const allOk = ['action', 'base5', 'base10'].every(k => r[k].every(x => x.ok))
    const worstActionDelay = Math.max(...r.action.map(x => x.delayMs))
    row(
      `2. One 2-minute job (${s(longDurationMs(0), 0)}–${s(longDurationMs(runs - 1), 0)} s; runs: ${runs} per poller, all at once, each with its own simulator)`,
      'status requests for the job',
      ...['action', 'base5', 'base10'].map(k => count(r[k].map(x => x.statusRequests))),
      '≤ 30',
      met(Math.max(...r.action.map(x => x.statusRequests)) <= 30 && allOk)
    )
    row(
      '',
      "delay, job's configured end → exit (s)",
      ...['action', 'base5', 'base10'].map(k => spread(r[k].map(x => x.delayMs))),
      `≤ ${DEFAULT_POLL_INTERVAL_S} (poll-interval; action, every run)`,
      met(worstActionDelay <= DEFAULT_POLL_INTERVAL_S * 1000 && allOk)
    )
    row(
      '',
      "of which: job's end → last status request (s)",
      ...['action', 'base5', 'base10'].map(k => spread(r[k].map(x => x.detectMs))),
      '',
      ''
    )
    if (!allOk) row('', '⚠ a run did not succeed', '', '', '', '', '')
  }
  if (results.wide) {
    const r = results.wide
    const runs = r.results.default
    const capped = r.results.capped
    const allOk = [...runs, ...capped, r.small.default, r.small.capped].every(x => x.ok)
    const mib = kib => num(kib / 1024)
    const mibSpread = list =>
      count(
        list.map(k => k / 1024),
        1
      )
    const rssTrend = list =>
      [0, 1, 2].map(i => num(median(list.map(x => x.rssKiB[i])) / 1024, 0)).join(' / ')
    row(
      `3. ${r.count} workflows, max-parallel ${r.slots}, 1.1–3.1 s each (runs: ${runs.length}, and ${capped.length} with a capped heap)`,
      'critical path (greedy list scheduling in plan order) (s)',
      s(r.criticalMs),
      '',
      '',
      '',
      ''
    )
    row(
      '',
      'wall time, spawn → exit / first request → exit (s)',
      `${spread(runs.map(x => x.wallMs))} / ${spread(runs.map(x => x.fromFirstMs))}`,
      '',
      '',
      '',
      ''
    )
    row(
      '',
      '**wall ÷ critical path**',
      `**${count(
        runs.map(x => x.wallMs / r.criticalMs),
        3
      )}**`,
      '',
      '',
      '',
      ''
    )
    row(
      '',
      'peak jobs running at once (simulator `peakRunning`, highest of all runs)',
      String(Math.max(...[...runs, ...capped].map(x => x.peakRunning))),
      '',
      '',
      `≤ ${r.slots}`,
      met([...runs, ...capped].every(x => x.peakRunning <= r.slots) && allOk)
    )
    row(
      '',
      `peak RSS of the action (VmHWM, read every 100 ms), default heap: ${r.smallCount} / ${r.count} workflows (MiB)`,
      `${mib(r.small.default.peakKiB)} / ${mibSpread(runs.map(x => x.peakKiB))}`,
      '',
      '',
      '',
      ''
    )
    row(
      '',
      `RSS at 10 % / 50 % / 90 % of the ${r.count}-workflow run, default heap (MiB)`,
      rssTrend(runs),
      '',
      '',
      '',
      ''
    )
    row(
      '',
      `**peak RSS with \`--max-old-space-size=${r.heapMiB}\`: ${r.smallCount} / ${r.count} workflows (MiB)**`,
      `**${mib(r.small.capped.peakKiB)} / ${mibSpread(capped.map(x => x.peakKiB))}** (×${num(median(capped.map(x => x.peakKiB)) / r.small.capped.peakKiB, 2)})`,
      '',
      '',
      'flat (issue 5)',
      ''
    )
    row(
      '',
      `RSS at 10 % / 50 % / 90 % of the ${r.count}-workflow run with \`--max-old-space-size=${r.heapMiB}\` (MiB); its wall time (s)`,
      `${rssTrend(capped)}; ${spread(capped.map(x => x.wallMs))}`,
      '',
      '',
      '',
      ''
    )
    row(
      '',
      'requests to the simulator: total / status per workflow',
      `${count(runs.map(x => x.requests))} / ${num(median(runs.map(x => x.statusRequests)) / r.count)}`,
      '',
      '',
      '',
      ''
    )
    row(
      '',
      'requests per second: mean / busiest second',
      `${count(
        runs.map(x => x.requestsPerSecond),
        1
      )} / ${count(runs.map(x => x.peakRequestsPerSecond))}`,
      '',
      '',
      '',
      ''
    )
    row(
      '',
      'TCP connections opened / most open at once (counting proxy)',
      `${count(runs.map(x => x.connections))} / ${count(runs.map(x => x.peakOpenConnections))}`,
      '',
      '',
      '',
      ''
    )
    if (!allOk) row('', '⚠ a run did not succeed', '', '', '', '', '')
  }
  if (results.cold) {
    const r = results.cold
    row(
      `4. Cold start (runs: ${coldRuns})`,
      '`node dist/index.js` spawn → first HTTP request (s)',
      spread(r.toFirstRequest, 3),
      '',
      '',
      '',
      ''
    )
    row('', '`node -e 0` spawn → exit (s)', spread(r.bare, 3), '', '', '', '')
    row(
      '',
      'cold start ÷ bare node',
      num(median(r.toFirstRequest) / median(r.bare), 2),
      '',
      '',
      '',
      ''
    )
    row(
      '',
      'bundle size of dist/index.js',
      `${r.bytes} B (${num(r.bytes / 1024)} KiB)`,
      '',
      '',
      '',
      ''
    )
  }
  return [
    '| case | measure | action (defaults) | baseline 5 s | baseline 10 s | target | |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows
  ].join('\n')
}

function header(info) {
  const m = info.machine
  return [
    `Measured ${info.date} on ${m.cpu}, ${m.cores} cores, ${num(m.memoryGiB)} GiB, Node ${m.node}, ${m.os}; load average (1/5/15 min) ${info.load} at the start, ${info.loadAfter} at the end.`,
    `Action: ${snapshot.what}; ${info.bytes} bytes. Both bundles were copied aside before the first run. Whole bench: ${s(info.elapsedMs, 0)} s. Figures are medians (min–max) where there were several runs.`
  ].join('\n')
}

// ---------------------------------------------------------------------------------------------

const info = {
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  machine: machine(),
  bytes: statSync(action).size,
  load: loadavg()
    .map(l => l.toFixed(2))
    .join(' ')
}
progress(`machine: ${JSON.stringify(info.machine)}`)
const results = {}
if (cases.has('short')) results.short = await benchShort()
if (cases.has('long')) results.long = await benchLong()
if (cases.has('wide')) results.wide = await benchWide()
if (cases.has('cold')) results.cold = await benchCold()
info.elapsedMs = Date.now() - benchStarted
snapshot.cleanup()
info.loadAfter = loadavg()
  .map(l => l.toFixed(2))
  .join(' ')

const output = `${header(info)}\n\n${table(results)}\n`
process.stdout.write(output)

if (args.markdown !== undefined) {
  const file = resolve(args.markdown)
  const BEGIN = '<!-- bench:begin (written by npm run bench -- --markdown; do not edit) -->'
  const END = '<!-- bench:end -->'
  const block = `${BEGIN}\n\n${output}\n${END}`
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : ''
  const at = existing.indexOf(BEGIN)
  const to = existing.indexOf(END)
  const text =
    at >= 0 && to > at
      ? existing.slice(0, at) + block + existing.slice(to + END.length)
      : `# Benchmarks\n\n${block}\n`
  writeFileSync(file, text)
  progress(`wrote ${relative(root, file)}`)
}
