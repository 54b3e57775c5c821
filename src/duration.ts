/**
 * Durations as people write them in workflow files: `90s`, `10m`, `1h30m`, `2h`, `500ms`, or a
 * bare number of seconds (`45`, `2.5`). Units may be combined largest first (`1h30m15s`).
 */

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 }
const UNIT_ORDER = ['h', 'm', 's', 'ms']

export const DURATION_FORMS =
  'a number of seconds or a duration such as 90s, 10m, 1h30m, 2h or 500ms'

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const value = text.trim().toLowerCase()
  if (value === '') return undefined
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  const parts =
    /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/.exec(value)
  if (parts === null || parts.slice(1).every(p => p === undefined)) return undefined
  let total = 0
  for (const [index, unit] of UNIT_ORDER.entries()) {
    const amount = parts[index + 1]
    if (amount !== undefined) total += Number(amount) * (UNIT_MS[unit] as number)
  }
  return Math.round(total)
}

/** `1h 5m 3s`, `4.2s`, `850ms`: short and exact enough for logs and summaries. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—'
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(Math.round(ms / 100) / 10).toFixed(1)}s`
  const totalSeconds = Math.round(ms / 1000)
  const h = Math.floor(totalSeconds / 3600)
  const m = Math.floor((totalSeconds % 3600) / 60)
  const s = totalSeconds % 60
  return [h > 0 ? `${h}h` : '', m > 0 ? `${m}m` : '', s > 0 ? `${s}s` : '']
    .filter(Boolean)
    .join(' ')
}
