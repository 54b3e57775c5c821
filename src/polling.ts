/**
 * When to look at a job again. A fixed interval wastes minutes on short jobs (a 10 s poll adds up
 * to 10 s per phase) and thousands of requests on long ones. Instead the wait depends on the job's
 * age: a short floor while the job is young — so a 3-second validation job is seen ending within
 * a fraction of a second — then a steep rise (with the cube of the age) to poll-interval, reached
 * after about 13 s with the default 10 s. A 2-minute job is checked about 29 times. Jitter keeps a
 * wide phase from polling in bursts. The constants are measured in docs/benchmarks.md.
 */

export interface PollSchedule {
  /** The longest wait between two checks of one job (input poll-interval). */
  maxIntervalMs: number
  /** The wait while the job is young; never more than maxIntervalMs. */
  minIntervalMs: number
  /** The age at which the rising wait is one second; it is (age / this)³ seconds. */
  riseScaleMs: number
  /** ± this fraction of random spread on every wait. */
  jitter: number
}

export function pollSchedule(maxIntervalMs: number): PollSchedule {
  return {
    maxIntervalMs,
    minIntervalMs: Math.min(400, maxIntervalMs),
    riseScaleMs: 6_000,
    jitter: 0.1
  }
}

export function nextPollDelay(
  ageMs: number,
  schedule: PollSchedule,
  random: () => number = Math.random
): number {
  const rising = 1_000 * (ageMs / schedule.riseScaleMs) ** 3
  const base = Math.min(schedule.maxIntervalMs, Math.max(schedule.minIntervalMs, rising))
  const spread = 1 + schedule.jitter * (2 * random() - 1)
  return Math.min(schedule.maxIntervalMs, Math.max(1, base * spread))
}
