#!/usr/bin/env node
// A model of the polling schedule, to see what other constants would cost before building them:
// the formula of nextPollDelay in src/polling.ts (duplicated here because bench/ is plain JS),
// each check taking `requestMs`, with the default 10 s poll-interval. Each check is scheduled from
// the start of the previous one with the wait for the job's age when the answer came (as
// src/follow.ts does). The jitter is modelled at its two extremes and in the middle: every wait
// ×1 ("mid"), every wait ×0.9 ("low": the most checks) and every wait ×1.1 ("high": the longest
// gaps), the wait never above poll-interval.
//
// For jobs ending at every 10 ms from 1 s to 120 s it prints the detection delay (the job's end →
// the check that sees it) as a share of the job's age: the mean (mid jitter) and the worst (any of
// the three), over 1–120 s and over 8–30 s, the worst delay of 8–30 s jobs in seconds, the mean
// delay of jobs ending in 0.5–5.3 s (the bench's short plan), and the checks for a 2-minute job
// (also with random jitter, 1000 runs from a fixed seed: the range, and how many exceed 30).
//
//   node bench/schedule-model.mjs [setting ...]
//     linear:floorMs,youngMs,fraction   the floor while younger than youngMs, then fraction × age
//     cube:floorMs,riseScaleMs           the former schedule: max(floor, (age / riseScaleMs)³ s)
//   e.g. node bench/schedule-model.mjs linear:400,5000,0.35 linear:400,5000,0.3 cube:400,6000
const POLL_INTERVAL_MS = 10_000 // the default poll-interval
const requestMs = 3
const JITTER = 0.1
const LONG_JOB_MS = 120_100 // the bench's 2-minute job: 100 ms queued, 120 s running

function baseDelay(setting, ageMs) {
  if (setting.form === 'cube') {
    return Math.max(setting.floorMs, 1_000 * (ageMs / setting.riseScaleMs) ** 3)
  }
  return ageMs < setting.youngMs
    ? setting.floorMs
    : Math.max(setting.floorMs, setting.fraction * ageMs)
}

/**
 * The ages at which the checks start, up to `untilMs`, with every wait multiplied by `spread` (a
 * number, or a function returning one per wait).
 */
function checkTimes(setting, spread, untilMs) {
  const times = []
  let start = 0 // the job's submission: the first wait is for age 0
  let age = 0
  while (start < untilMs + POLL_INTERVAL_MS) {
    const factor = typeof spread === 'function' ? spread() : spread
    const wait = Math.min(POLL_INTERVAL_MS, Math.max(1, baseDelay(setting, age) * factor))
    start += wait
    times.push(start)
    age = start + requestMs // the age when the answer comes, which sets the next wait
  }
  return times
}

/** For each end time: the delay until the first check that starts after it, and the checks. */
function follow(times, endMs) {
  let i = 0
  while (times[i] < endMs) i++
  return { delayMs: times[i] + requestMs - endMs, checks: i + 1 }
}

function evaluate(setting) {
  const modes = { mid: 1, low: 1 - JITTER, high: 1 + JITTER }
  const times = Object.fromEntries(
    Object.entries(modes).map(([name, spread]) => [name, checkTimes(setting, spread, 200_000)])
  )
  const band = (fromMs, toMs) => {
    let sum = 0
    let count = 0
    let worstShare = 0
    let worstMs = 0
    for (let end = fromMs; end <= toMs; end += 10) {
      sum += follow(times.mid, end).delayMs / end
      count++
      for (const mode of Object.keys(modes)) {
        const { delayMs } = follow(times[mode], end)
        worstShare = Math.max(worstShare, delayMs / end)
        worstMs = Math.max(worstMs, delayMs)
      }
    }
    return { meanShare: sum / count, worstShare, worstMs }
  }
  let shortSum = 0
  let shortCount = 0
  for (let end = 500; end <= 5_300; end += 7, shortCount++) {
    shortSum += follow(times.mid, end).delayMs
  }
  // Random jitter as nextPollDelay draws it (±10 %, uniform), from a fixed seed: 1000 runs.
  const random = lcg(1)
  const randomChecks = Array.from(
    { length: 1000 },
    () =>
      follow(
        checkTimes(setting, () => 1 + JITTER * (2 * random() - 1), LONG_JOB_MS),
        LONG_JOB_MS
      ).checks
  )
  return {
    randomChecksMin: Math.min(...randomChecks),
    randomChecksMax: Math.max(...randomChecks),
    randomChecksOver: n => randomChecks.filter(c => c > n).length,
    all: band(1_000, 120_000),
    middle: band(8_000, 30_000),
    shortMeanMs: shortSum / shortCount,
    longChecks: follow(times.mid, LONG_JOB_MS).checks,
    longChecksLow: follow(times.low, LONG_JOB_MS).checks
  }
}

/** A small seeded generator in [0, 1), so that the model prints the same figures every time. */
function lcg(seed) {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

function parse(arg) {
  const [form, values] = arg.includes(':') ? arg.split(':') : ['linear', arg]
  const numbers = values.split(',').map(Number)
  if (form === 'cube') return { form, floorMs: numbers[0], riseScaleMs: numbers[1] }
  return { form: 'linear', floorMs: numbers[0], youngMs: numbers[1], fraction: numbers[2] }
}

function describe(setting) {
  return setting.form === 'cube'
    ? `cube: ${setting.floorMs / 1000} s, then (age / ${setting.riseScaleMs / 1000} s)³ s`
    : `${setting.floorMs / 1000} s under ${setting.youngMs / 1000} s, then ${setting.fraction} × age`
}

const settings =
  process.argv.length > 2
    ? process.argv.slice(2).map(parse)
    : [
        'cube:400,6000',
        'linear:400,5000,0.35',
        'linear:400,5000,0.3',
        'linear:400,5000,0.25',
        'linear:400,5000,0.4',
        'linear:400,4000,0.3',
        'linear:300,5000,0.3'
      ].map(parse)

const pct = share => `${(100 * share).toFixed(0)} %`
console.log(
  '| schedule | delay ÷ age, 1–120 s jobs: mean / worst | delay ÷ age, 8–30 s jobs: mean / worst | worst delay, 8–30 s jobs | mean delay, 0.5–5.3 s jobs | checks, 2-minute job: no jitter (all waits −10 %) | random jitter, 1000 runs: range; runs over 30 |'
)
console.log('| --- | --- | --- | --- | --- | --- | --- |')
for (const setting of settings) {
  const r = evaluate(setting)
  console.log(
    `| ${describe(setting)} | ${pct(r.all.meanShare)} / ${pct(r.all.worstShare)} | ${pct(r.middle.meanShare)} / ${pct(r.middle.worstShare)} | ${(r.middle.worstMs / 1000).toFixed(1)} s | ${(r.shortMeanMs / 1000).toFixed(2)} s | ${r.longChecks} (${r.longChecksLow}) | ${r.randomChecksMin}–${r.randomChecksMax}; ${r.randomChecksOver(30)} |`
  )
}
