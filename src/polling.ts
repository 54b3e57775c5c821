/**
 * When to look at a job again. A fixed interval wastes minutes on short jobs (a 10 s poll adds up
 * to 10 s per phase) and thousands of requests on long ones. Instead the wait depends on the job's
 * age:
 *
 * - **0.4 s while the job is younger than 5 s**, so a short validation job (the 0.5–5 s)
 *   is seen ending 0.2 s later on average and never more than 0.44 s later;
 * - **then 0.35 × its age**, so a job is never seen ending later than 35 % of its age (38.5 % with
 *   the jitter): a 12 s job at most 4.2 s late (4.6 s), a 20 s job at most 7 s (7.7 s);
 * - **never more than poll-interval**, reached at about 29 s with the default 10 s.
 *
 * It replaces a rise with the cube of the age, which reached poll-interval at 13 s and so saw a
 * job ending near 12 s up to 8 s late (66 % of its age) and a 20 s job up to 10 s late — no better
 * than a fixed 10 s poll. The fraction is a trade between that delay and the requests of a long
 * job; `node bench/schedule-model.mjs` models both. With 0.3 × age (worst delay 33 %) a 2-minute
 * job takes 29 checks, and 30 or more in about one run in ten — on the edge of the limit
 * of 30. With 0.35 it takes 28 (27–29 with random jitter, 30 about once in 20 000 runs): 13 at
 * the floor, 6 rising, 9 at the cap. The floor and the 5 s keep the short plan's overhead well
 * under 0.3 s per phase: a lower floor costs more checks than it saves time (0.3 s: 33 checks for
 * the 2-minute job), and an earlier rise would see 4–5 s jobs end up to a second later.
 *
 * Jitter (±10 %) keeps a wide phase from polling in bursts; it never lifts a wait above
 * poll-interval. Measured in docs/benchmarks.md.
 */

export interface PollSchedule {
  /** The longest wait between two checks of one job (input poll-interval). */
  maxIntervalMs: number
  /** The wait while the job is young, and the least wait after; never more than maxIntervalMs. */
  minIntervalMs: number
  /** Younger than this, a job is checked every minIntervalMs. */
  youngMs: number
  /** From youngMs on, the wait is this fraction of the job's age (before the cap and jitter). */
  ageFraction: number
  /** ± this fraction of random spread on every wait. */
  jitter: number
}

export function pollSchedule(maxIntervalMs: number): PollSchedule {
  return {
    maxIntervalMs,
    minIntervalMs: Math.min(400, maxIntervalMs),
    youngMs: 5_000,
    ageFraction: 0.35,
    jitter: 0.1
  }
}

export function nextPollDelay(
  ageMs: number,
  schedule: PollSchedule,
  random: () => number = Math.random
): number {
  const proportional = ageMs < schedule.youngMs ? 0 : schedule.ageFraction * ageMs
  const base = Math.min(schedule.maxIntervalMs, Math.max(schedule.minIntervalMs, proportional))
  const spread = 1 + schedule.jitter * (2 * random() - 1)
  return Math.min(schedule.maxIntervalMs, Math.max(1, base * spread))
}
