import { describe, expect, it } from '@jest/globals'
import { nextPollDelay, pollSchedule } from '../src/polling.js'
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  sleep,
  withRetry,
  type RetryPolicy
} from '../src/retry.js'

const POLICY: RetryPolicy = { budgetMs: 60_000, baseDelayMs: 500, maxDelayMs: 30_000 }
const ALMOST_ONE = 1 - Number.EPSILON
const zero = () => 0
const almostOne = () => ALMOST_ONE

describe('backoffDelay', () => {
  it.each([0, 1, 2, 5, 20])('attempt %i with random 0 waits 0', attempt => {
    expect(backoffDelay(attempt, POLICY, undefined, zero)).toBe(0)
  })

  it.each([
    [0, 500],
    [1, 1_000],
    [2, 2_000],
    [5, 16_000],
    [6, 30_000],
    [10, 30_000],
    [40, 30_000]
  ])('attempt %i with random ~1 waits just under its ceiling %i ms', (attempt, ceiling) => {
    const delay = backoffDelay(attempt, POLICY, undefined, almostOne)
    expect(delay).toBeLessThanOrEqual(ceiling)
    expect(delay).toBeGreaterThan(ceiling * 0.999)
  })

  it('never exceeds maxDelayMs, whatever the attempt', () => {
    for (let attempt = 0; attempt < 64; attempt++) {
      expect(backoffDelay(attempt, POLICY, undefined, almostOne)).toBeLessThanOrEqual(30_000)
    }
  })

  it('scales the ceiling by the random draw (full jitter)', () => {
    expect(backoffDelay(3, POLICY, undefined, () => 0.25)).toBe(1_000)
    expect(backoffDelay(3, POLICY, undefined, () => 0.5)).toBe(2_000)
  })

  it.each([
    ['above the jittered wait', 0, 5_000, 5_000],
    ['below the jittered wait', ALMOST_ONE, 200, 1_000 * ALMOST_ONE],
    ['longer than maxDelayMs', ALMOST_ONE, 120_000, 120_000],
    ['zero', 0, 0, 0]
  ])('Retry-After %s is a floor', (_name, r, retryAfterMs, expected) => {
    expect(backoffDelay(1, POLICY, retryAfterMs, () => r)).toBe(expected)
  })

  it('the default policy keeps trying for minutes with waits of at most 30 s', () => {
    expect(DEFAULT_RETRY_POLICY.budgetMs).toBeGreaterThanOrEqual(120_000)
    expect(DEFAULT_RETRY_POLICY.maxDelayMs).toBeLessThanOrEqual(30_000)
  })
})

describe('parseRetryAfter', () => {
  const NOW = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT')

  it.each<[string | undefined, number | undefined]>([
    ['120', 120_000],
    ['0', 0],
    [' 5 ', 5_000],
    ['1.5', 1_500],
    ['Wed, 21 Oct 2026 07:28:30 GMT', 30_000],
    ['Wed, 21 Oct 2026 07:30:00 GMT', 120_000],
    ['Wed, 21 Oct 2026 07:27:00 GMT', 0], // already past: retry at once
    ['soon', undefined],
    ['-5', undefined], // Date.parse alone would read it as a year
    ['ten seconds', undefined],
    ['', undefined],
    ['   ', undefined],
    [undefined, undefined]
  ])('%j → %j', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms)
  })
})

/** An error the tests classify as retryable or not. */
class Failure extends Error {
  constructor(
    readonly retryable: boolean,
    readonly retryAfterMs?: number
  ) {
    super(retryable ? 'try again' : 'give up')
  }
}

const classify = (error: unknown) => {
  const f = error as Failure
  return { retry: f.retryable, retryAfterMs: f.retryAfterMs }
}

/** Waits of 0 ms: the tests exercise the decisions, not the clock. */
const FAST: RetryPolicy = { budgetMs: 60_000, baseDelayMs: 1, maxDelayMs: 1 }

describe('withRetry', () => {
  it('returns at once when the first call succeeds', async () => {
    let calls = 0
    const result = await withRetry(async () => ++calls, FAST, { classify, random: zero })
    expect(result).toBe(1)
    expect(calls).toBe(1)
  })

  it('retries retryable errors, then returns the success', async () => {
    let calls = 0
    const retries: [number, number][] = []
    const result = await withRetry(
      async () => {
        calls++
        if (calls < 4) throw new Failure(true)
        return 'ok'
      },
      FAST,
      { classify, random: zero, onRetry: (_e, attempt, delay) => retries.push([attempt, delay]) }
    )
    expect(result).toBe('ok')
    expect(calls).toBe(4)
    expect(retries).toEqual([
      [1, 0],
      [2, 0],
      [3, 0]
    ])
  })

  it('stops at a non-retryable error immediately', async () => {
    let calls = 0
    const stop = new Failure(false)
    let retried = 0
    await expect(
      withRetry(
        async () => {
          calls++
          if (calls === 1) throw new Failure(true)
          throw stop
        },
        FAST,
        { classify, random: zero, onRetry: () => retried++ }
      )
    ).rejects.toBe(stop)
    expect(calls).toBe(2)
    expect(retried).toBe(1)
  })

  it('gives up with the last error when the time budget is exhausted', async () => {
    let clock = 0
    let calls = 0
    const errors: Failure[] = []
    const policy: RetryPolicy = { budgetMs: 2_500, baseDelayMs: 1, maxDelayMs: 1 }
    const outcome = withRetry(
      async () => {
        calls++
        clock += 1_000 // each failing call takes 1 s of the fake clock
        const error = new Failure(true)
        errors.push(error)
        throw error
      },
      policy,
      { classify, random: zero, now: () => clock }
    )
    await expect(outcome).rejects.toBeInstanceOf(Failure)
    await outcome.catch(error => expect(error).toBe(errors.at(-1)))
    // First failure at 1 s; the 4th call fails at 4 s, 3 s after it: over the 2.5 s budget.
    expect(calls).toBe(4)
  })

  it('makes its last try right at the deadline, however much budget is left', async () => {
    let clock = 0
    const tries: number[] = []
    const waits: number[] = []
    const policy: RetryPolicy = { budgetMs: 60_000, baseDelayMs: 100, maxDelayMs: 100 }
    await expect(
      withRetry(
        async () => {
          tries.push(clock)
          throw new Failure(true)
        },
        policy,
        {
          classify,
          random: () => 1, // waits of 100 ms
          now: () => clock,
          deadline: 250,
          onRetry: (_e, _attempt, delay) => {
            waits.push(delay)
            clock += delay
          }
        }
      )
    ).rejects.toBeInstanceOf(Failure)
    // Tries at 0, 100 and 200 ms, then one at 250 ms (the deadline), then no more.
    expect(waits).toEqual([100, 100, 50])
    expect(tries).toEqual([0, 100, 200, 250])
  })

  it('does not start a wait the budget cannot cover (a long Retry-After)', async () => {
    let calls = 0
    await expect(
      withRetry(
        async () => {
          calls++
          throw new Failure(true, 10 * 60_000)
        },
        FAST,
        { classify, random: zero, now: () => 0 }
      )
    ).rejects.toBeInstanceOf(Failure)
    expect(calls).toBe(1)
  })

  it('stops when the signal aborts during a wait (without waiting it out)', async () => {
    const controller = new AbortController()
    let calls = 0
    // A 60 s wait: were the abort ignored, the test would hit its timeout.
    const slow: RetryPolicy = { budgetMs: 10 * 60_000, baseDelayMs: 60_000, maxDelayMs: 60_000 }
    await expect(
      withRetry(
        async () => {
          calls++
          throw new Failure(true)
        },
        slow,
        {
          classify,
          random: almostOne,
          signal: controller.signal,
          onRetry: () => setImmediate(() => controller.abort())
        }
      )
    ).rejects.toBeInstanceOf(Failure)
    expect(calls).toBe(1)
  })

  it('does not retry once the signal has aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    let calls = 0
    await expect(
      withRetry(
        async () => {
          calls++
          throw new Failure(true)
        },
        FAST,
        { classify, random: zero, signal: controller.signal }
      )
    ).rejects.toBeInstanceOf(Failure)
    expect(calls).toBe(1)
  })
})

describe('sleep', () => {
  it('resolves early when the signal aborts', async () => {
    const controller = new AbortController()
    let done = false
    const slept = sleep(60 * 60_000, controller.signal).then(() => (done = true))
    await new Promise(resolve => setImmediate(resolve))
    expect(done).toBe(false)
    controller.abort()
    await slept
    expect(done).toBe(true)
  })

  it('resolves at once for a signal that has already aborted', async () => {
    await expect(sleep(60 * 60_000, AbortSignal.abort())).resolves.toBeUndefined()
  })

  it.each([0, -5])('resolves at once for %i ms', async ms => {
    await expect(sleep(ms)).resolves.toBeUndefined()
  })
})

describe('nextPollDelay', () => {
  const CAP = 10_000
  const schedule = pollSchedule(CAP)
  const AGES = [
    0, 100, 1_000, 2_500, 3_000, 4_999, 5_000, 10_000, 60_000, 99_000, 100_000, 3_600_000, 1e9
  ]
  const RANDOMS = [0, 0.25, 0.5, 0.75, ALMOST_ONE]
  const grid = AGES.flatMap(age => RANDOMS.map(r => [age, r] as const))
  const half = () => 0.5 // no jitter
  const FRACTION = schedule.ageFraction
  const JITTER = schedule.jitter

  /** A small seeded generator in [0, 1), so that a failing case can be replayed. */
  function seeded(seed: number): () => number {
    let state = seed >>> 0
    return () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0
      return state / 2 ** 32
    }
  }

  /**
   * The ages at which the runner checks a job, up to `untilMs` and one check past it: wait, then
   * look (the request itself is taken as instant).
   */
  function checkAges(untilMs: number, random: () => number, s = schedule): number[] {
    const ages: number[] = []
    let age = 0
    while (ages.length === 0 || (ages.at(-1) as number) < untilMs) {
      age += nextPollDelay(age, s, random)
      ages.push(age)
    }
    return ages
  }

  /** Checks the runner makes for a job that ends at `endMs`, the last one seeing the end. */
  function checksFor(endMs: number, random: () => number = half): number {
    return checkAges(endMs, random).length
  }

  it('the schedule: floor 400 ms under 5 s, then 0.35 × age, capped at poll-interval', () => {
    expect(schedule).toEqual({
      maxIntervalMs: CAP,
      minIntervalMs: 400,
      youngMs: 5_000,
      ageFraction: 0.35,
      jitter: 0.1
    })
    expect(pollSchedule(100).minIntervalMs).toBe(100)
  })

  it.each(grid)('age %i ms, random %d: never above maxIntervalMs', (age, r) => {
    expect(nextPollDelay(age, schedule, () => r)).toBeLessThanOrEqual(CAP)
  })

  it.each(grid)('age %i ms, random %d: never below minInterval·(1−jitter)', (age, r) => {
    const floor = schedule.minIntervalMs * (1 - JITTER)
    expect(nextPollDelay(age, schedule, () => r)).toBeGreaterThanOrEqual(floor)
  })

  it.each(grid)('age %i ms, random %d: within ±jitter of the unjittered wait', (age, r) => {
    const base = nextPollDelay(age, schedule, half)
    const delay = nextPollDelay(age, schedule, () => r)
    expect(delay).toBeGreaterThanOrEqual(base * (1 - JITTER) - 1e-9)
    expect(delay).toBeLessThanOrEqual(Math.min(CAP, base * (1 + JITTER)) + 1e-9)
  })

  it.each([0, 1_000, 60_000])('a 100 ms poll-interval caps every delay (age %i)', age => {
    const small = pollSchedule(100)
    expect(nextPollDelay(age, small, almostOne)).toBeLessThanOrEqual(100)
    expect(nextPollDelay(age, small, zero)).toBeGreaterThanOrEqual(90)
  })

  it.each([0, 100, 1_000, 3_000, 4_000, 4_999])(
    'a job of %i ms is young: the 400 ms floor',
    age => {
      expect(nextPollDelay(age, schedule, half)).toBeCloseTo(400)
    }
  )

  it.each([5_000, 8_000, 12_000, 20_000, 28_000])(
    'from 5 s the wait is 0.35 × the age (age %i ms)',
    age => {
      expect(nextPollDelay(age, schedule, half)).toBeCloseTo(0.35 * age)
    }
  )

  it.each([10_000 / 0.35, 30_000, 60_000, 120_000, 3_600_000, 1e9])(
    'from about 28.6 s the wait is poll-interval (age %i ms)',
    age => {
      expect(nextPollDelay(age, schedule, half)).toBe(CAP)
    }
  )

  it('grows with age until it reaches the cap, and never shrinks', () => {
    let previous = 0
    for (let age = 0; age <= 200_000; age += 50) {
      const delay = nextPollDelay(age, schedule, half)
      expect(delay).toBeGreaterThanOrEqual(previous)
      previous = delay
    }
    expect(previous).toBe(CAP)
  })

  it('spreads by ±jitter around the base', () => {
    // Age 12 s → base 0.35 × 12 s = 4.2 s; jitter 0.1 → 3.78 s … 4.62 s.
    expect(nextPollDelay(12_000, schedule, zero)).toBeCloseTo(3_780)
    expect(nextPollDelay(12_000, schedule, half)).toBeCloseTo(4_200)
    expect(nextPollDelay(12_000, schedule, almostOne)).toBeCloseTo(4_620)
  })

  it('at the cap the jitter only shortens the wait', () => {
    expect(nextPollDelay(60_000, schedule, zero)).toBeCloseTo(9_000)
    expect(nextPollDelay(60_000, schedule, almostOne)).toBe(CAP)
  })

  it.each([0, 0.5, ALMOST_ONE])('a job ending at 3 s is seen within 0.44 s (random %d)', r => {
    const ages = checkAges(3_000, () => r)
    expect((ages.at(-1) as number) - 3_000).toBeLessThanOrEqual(440)
  })

  const SOURCES: Array<[string, () => () => number]> = [
    ['no jitter', () => half],
    ['every wait shortest', () => zero],
    ['every wait longest', () => almostOne],
    ...[1, 2, 3, 4, 5].map((seed): [string, () => () => number] => [
      `seeded random ${seed}`,
      () => seeded(seed)
    ])
  ]

  it.each(SOURCES)(
    'property (%s): a job ending anywhere in 5–200 s is seen within 0.35·(1+jitter) of its age, and within poll-interval',
    (_name, source) => {
      const ages = checkAges(200_000, source())
      // The worst ends are just after a check: every such end, and a 10 ms grid besides.
      const ends = [...ages.map(age => age + 0.001)]
      for (let end = 5_000; end <= 200_000; end += 10) ends.push(end)
      let worstShare = 0
      for (const end of ends.filter(e => e >= 5_000 && e <= 200_000)) {
        const seenAt = ages.find(age => age >= end) as number
        const delay = seenAt - end
        expect(delay).toBeLessThanOrEqual(CAP)
        expect(delay).toBeLessThanOrEqual(FRACTION * (1 + JITTER) * end)
        worstShare = Math.max(worstShare, delay / end)
      }
      // And the bound is nearly reached, so it says something about the schedule.
      expect(worstShare).toBeGreaterThan(0.99 * FRACTION * (1 - JITTER))
    }
  )

  it('a job ending between 8 and 30 s is never seen more than 0.385 × its age late (the former curve: up to 66 %)', () => {
    for (const [, source] of SOURCES) {
      const ages = checkAges(30_000, source())
      for (let end = 8_000; end <= 30_000; end += 5) {
        const seenAt = ages.find(age => age >= end) as number
        expect((seenAt - end) / end).toBeLessThanOrEqual(0.385)
      }
    }
  })

  // With random = 0.5 the count is 28: 13 at the 400 ms floor up to 5.2 s, 6 rising by ×1.35 to
  // the cap at about 31 s, then 9 at the 10 s cap. The performance issue's target is ≤ 30.
  it('a 2-minute job gets at most 30 checks', () => {
    expect(checksFor(120_100)).toBe(28)
    // Random jitter: 28, sometimes 29 (30 about once in 20 000 runs). Only if every wait drew the
    // shortest jitter, which no real run does, would it take 31.
    expect(checksFor(120_100, zero)).toBeLessThanOrEqual(31)
    for (let seed = 1; seed <= 200; seed++) {
      expect(checksFor(120_100, seeded(seed))).toBeLessThanOrEqual(30)
    }
  })

  it('polls a 120 s job far less often than every 250 ms, and at least as often as every 10 s', () => {
    const polls = checksFor(120_000)
    expect(polls).toBeLessThan(120_000 / 250)
    expect(polls).toBeGreaterThanOrEqual(120_000 / CAP)
  })
})
