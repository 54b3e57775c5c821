/**
 * When to look at a job again. A fixed interval wastes minutes on short jobs (a 10 s poll adds up
 * to 10 s per phase) and thousands of requests on long ones. Instead the wait grows with the job's
 * age — sub-second at first, so a 3-second validation job is seen ending within a fraction of a
 * second — and is capped at poll-interval. Jitter keeps a wide phase from polling in bursts.
 */

export interface PollSchedule {
  /** The longest wait between two checks of one job (input poll-interval). */
  maxIntervalMs: number
  /** The shortest wait; never more than maxIntervalMs. */
  minIntervalMs: number
  /** Each wait is this fraction of the job's age, before the cap. */
  ageFactor: number
  /** ± this fraction of random spread on every wait. */
  jitter: number
}

export function pollSchedule(maxIntervalMs: number): PollSchedule {
  return {
    maxIntervalMs,
    minIntervalMs: Math.min(250, maxIntervalMs),
    ageFactor: 0.1,
    jitter: 0.1
  }
}

export function nextPollDelay(
  ageMs: number,
  schedule: PollSchedule,
  random: () => number = Math.random
): number {
  const base = Math.min(
    schedule.maxIntervalMs,
    Math.max(schedule.minIntervalMs, ageMs * schedule.ageFactor)
  )
  const spread = 1 + schedule.jitter * (2 * random() - 1)
  return Math.min(schedule.maxIntervalMs, Math.max(1, base * spread))
}
