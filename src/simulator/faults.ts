/**
 * Deterministic misbehaviour. Every request to the API draws the same number of values from one
 * seeded generator, whatever the scenario asks for, so the same seed and the same sequence of
 * requests give the same faults — a failing rehearsal can be replayed.
 */
import {
  DEFAULT_ERROR_CODES,
  type DowntimeWindow,
  type EndpointKind,
  type FaultSpec,
  type FaultTable
} from './scenario.js'

/** mulberry32: tiny, fast and good enough to pick faults; not for anything secret. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The random values one request may use, drawn together (see the module comment). */
export interface FaultDraws {
  drop: number
  rateLimit: number
  error: number
  errorCode: number
  latency: number
  acceptThenDrop: number
}

export function drawFaults(random: () => number): FaultDraws {
  return {
    drop: random(),
    rateLimit: random(),
    error: random(),
    errorCode: random(),
    latency: random(),
    acceptThenDrop: random()
  }
}

/** The settings that apply to one endpoint kind: its own keys over those of `all`. */
export function faultsFor(table: FaultTable, kind: EndpointKind | undefined): FaultSpec {
  return { ...table.all, ...(kind === undefined ? {} : table[kind]) }
}

export type FaultAction =
  | { kind: 'none' }
  | { kind: 'drop'; reason: 'downtime' | 'drop' }
  | {
      kind: 'status'
      status: number
      reason: 'downtime' | 'rate-limit' | 'error'
      retryAfterSeconds?: number
    }

export interface FaultDecision {
  latencyMs: number
  action: FaultAction
}

export function downtimeAt(
  windows: DowntimeWindow[],
  sinceStartMs: number
): DowntimeWindow | undefined {
  return windows.find(w => sinceStartMs >= w.startMs && sinceStartMs < w.startMs + w.durationMs)
}

/** What happens to a request before the API itself sees it. Downtime wins over everything. */
export function decideFault(
  faults: FaultSpec,
  downtime: DowntimeWindow[],
  sinceStartMs: number,
  draws: FaultDraws
): FaultDecision {
  const latency = faults.latency
  const latencyMs =
    latency === undefined
      ? 0
      : Math.round(latency.minMs + (latency.maxMs - latency.minMs) * draws.latency)
  const down = downtimeAt(downtime, sinceStartMs)
  if (down !== undefined) {
    return {
      latencyMs,
      action:
        down.mode === 'drop'
          ? { kind: 'drop', reason: 'downtime' }
          : { kind: 'status', status: 503, reason: 'downtime' }
    }
  }
  if (draws.drop < (faults.dropRate ?? 0))
    return { latencyMs, action: { kind: 'drop', reason: 'drop' } }
  if (draws.rateLimit < (faults.rateLimitRate ?? 0)) {
    return {
      latencyMs,
      action: {
        kind: 'status',
        status: 429,
        reason: 'rate-limit',
        retryAfterSeconds: faults.retryAfterSeconds ?? 1
      }
    }
  }
  if (draws.error < (faults.errorRate ?? 0)) {
    const codes = faults.errorCodes ?? DEFAULT_ERROR_CODES
    const status =
      codes[Math.min(codes.length - 1, Math.floor(draws.errorCode * codes.length))] ?? 500
    return { latencyMs, action: { kind: 'status', status, reason: 'error' } }
  }
  return { latencyMs, action: { kind: 'none' } }
}

/**
 * Whether the answer to the job just created is lost: the first N jobs, then a fraction.
 * `createdCount` counts this job (1 for the first job the server created).
 */
export function dropsAfterAccept(faults: FaultSpec, createdCount: number, draw: number): boolean {
  const spec = faults.acceptThenDrop
  if (spec === undefined) return false
  return createdCount <= spec.first || draw < spec.rate
}
