/**
 * Retrying requests that are safe to repeat (status, list, cancel). The budget is time, not a
 * count: a server that is down for two minutes in the middle of a run is waited out. Delays grow
 * exponentially with full jitter (so many jobs polling one recovering server do not retry in
 * step) and honour the server's Retry-After.
 */

export interface RetryPolicy {
  /** How long, from the first failure, to keep trying. */
  budgetMs: number
  /** First backoff ceiling; doubles per attempt. */
  baseDelayMs: number
  /** No single wait is longer than this. */
  maxDelayMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  budgetMs: 5 * 60_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000
}

/** Full jitter: a uniform wait in [0, min(max, base·2^attempt)], but never before Retry-After. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt)
  const jittered = random() * ceiling
  return retryAfterMs === undefined ? jittered : Math.max(jittered, retryAfterMs)
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now; undefined if unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim()) * 1000
  // An HTTP date names its day and month in letters; Date.parse would read '-5' as a year.
  if (!/[a-z]/i.test(value)) return undefined
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Resolves after `ms`, or at once when the signal aborts (it never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal?.aborted === true || ms <= 0) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

export interface RetryHooks {
  /** Whether this error is worth another try, and how long the server asked us to wait. */
  classify: (error: unknown) => { retry: boolean; retryAfterMs?: number | undefined }
  /** Told about every failure that will be retried. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void
  signal?: AbortSignal | undefined
  /** No retry starts after this time (epoch ms), whatever the budget says; the last is at it. */
  deadline?: number | undefined
  random?: () => number
  now?: () => number
}

export async function withRetry<T>(
  operation: () => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks
): Promise<T> {
  const now = hooks.now ?? Date.now
  let firstFailure: number | undefined
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation()
    } catch (error) {
      const { retry, retryAfterMs } = hooks.classify(error)
      firstFailure ??= now()
      // Up to the deadline, not past it: the last try happens right at it.
      const untilDeadline = hooks.deadline === undefined ? Infinity : hooks.deadline - now()
      const delay = Math.min(
        backoffDelay(attempt, policy, retryAfterMs, hooks.random),
        Math.max(0, untilDeadline)
      )
      const outOfTime = now() + delay - firstFailure > policy.budgetMs || untilDeadline <= 0
      if (!retry || outOfTime || aborted(hooks.signal)) throw error
      hooks.onRetry?.(error, attempt + 1, delay)
      await sleep(delay, hooks.signal)
      if (aborted(hooks.signal)) throw error
    }
  }
}

// A function, not an inline test, because the signal can change while we await.
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}
