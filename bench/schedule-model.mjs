#!/usr/bin/env node
// A model of the polling schedule, to see what other constants would cost before building them:
// the formula of nextPollDelay in src/polling.ts (duplicated here, without jitter, because
// bench/ is plain JS), each check taking `requestMs`. Prints, per (floor, riseScaleMs), the mean
// detection delay of jobs ending between 0.5 and 5.3 s (the short plan), the mean delay as a
// share of the job's age for 5–30 s jobs, and the status requests for a 2-minute job.
//
//   node bench/schedule-model.mjs [floorMs,riseScaleMs ...]   e.g. 400,6000 300,5000
const POLL_INTERVAL_MS = 10_000 // the default poll-interval
const requestMs = 3

function follow(floorMs, riseScaleMs, endMs) {
  let age = 0
  let checks = 0
  // Bounded: a 2-minute job needs a few dozen checks even with a 1 ms floor.
  while (checks < 1_000_000) {
    const rising = 1_000 * (age / riseScaleMs) ** 3
    age += Math.min(POLL_INTERVAL_MS, Math.max(floorMs, rising)) + requestMs
    checks++
    if (age >= endMs) return { checks, delayMs: age - endMs }
  }
  throw new Error('did not end')
}

function mean(from, to, step, value) {
  let sum = 0
  let count = 0
  for (let end = from; end <= to; end += step, count++) sum += value(end)
  return sum / count
}

const settings =
  process.argv.length > 2
    ? process.argv.slice(2).map(arg => arg.split(',').map(Number))
    : [
        [400, 6000],
        [300, 6000],
        [250, 6000],
        [300, 5000],
        [350, 6000]
      ]
console.log(
  '| floor, riseScaleMs | mean delay, 0.5–5.3 s jobs | delay ÷ age, 5–30 s jobs | checks, 2-minute job |'
)
console.log('| --- | --- | --- | --- |')
for (const [floorMs, riseScaleMs] of settings) {
  const short = mean(500, 5300, 7, end => follow(floorMs, riseScaleMs, end).delayMs)
  const share = mean(5300, 30_000, 13, end => follow(floorMs, riseScaleMs, end).delayMs / end)
  const long = follow(floorMs, riseScaleMs, 120_100).checks
  console.log(
    `| ${floorMs / 1000} s, ${riseScaleMs} | ${(short / 1000).toFixed(2)} s | ${(100 * share).toFixed(0)} % | ${long} |`
  )
}
