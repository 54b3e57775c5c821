import { describe, expect, it } from '@jest/globals'
import { formatDuration, parseDurationMs } from '../src/duration.js'

describe('parseDurationMs', () => {
  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['2h', 7_200_000],
    ['45', 45_000],
    ['2.5', 2_500],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1h2m3s', 3_723_000],
    [' 5M ', 300_000]
  ])('reads %j as %i ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms)
  })

  it.each(['', 'soon', '10 minutes', '-5', '5d', '1m1h', 'h', '1.5.2s', '10mss'])(
    'rejects %j',
    text => {
      expect(parseDurationMs(text)).toBeUndefined()
    }
  )
})

describe('formatDuration', () => {
  it.each([
    [850, '850ms'],
    [4_230, '4.2s'],
    [90_000, '1m 30s'],
    [3_723_000, '1h 2m 3s'],
    [7_200_000, '2h']
  ])('formats %i ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})
