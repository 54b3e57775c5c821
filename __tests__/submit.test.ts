import { describe, expect, it } from '@jest/globals'
import { parseJob } from '../src/contract.js'
import { CLOCK_TOLERANCE_MS, findSubmittedJob } from '../src/submit.js'

const SENT = Date.parse('2026-12-04T10:00:00.000Z') // the request, on the server's clock
const job = (id: string, submittedAt: string | null, state = 'RUNNING', workflow = 'wf1') =>
  parseJob({ jobId: id, workflowExternalLabel: workflow, state, submittedAt })

describe('findSubmittedJob', () => {
  it('adopts the earliest job submitted since the request; later ones are someone else’s', () => {
    const jobs = [
      job('3', '2026-12-04T10:00:09.000Z'),
      job('2', '2026-12-04T10:00:01.000Z'),
      job('1', '2026-12-04T09:00:00.000Z', 'COMPLETED')
    ]
    expect(findSubmittedJob(jobs, 'wf1', SENT)).toMatchObject({ jobId: '2' })
  })

  it('allows for the Date header’s one-second resolution, and no more', () => {
    const justBefore = new Date(SENT - CLOCK_TOLERANCE_MS + 1).toISOString()
    const tooEarly = new Date(SENT - CLOCK_TOLERANCE_MS - 1).toISOString()
    expect(findSubmittedJob([job('7', justBefore)], 'wf1', SENT)).toMatchObject({ jobId: '7' })
    expect(findSubmittedJob([job('6', tooEarly)], 'wf1', SENT)).toBeUndefined()
  })

  it('ignores jobs of other workflows', () => {
    const other = job('9', '2026-12-04T10:00:01.000Z', 'RUNNING', 'wf2')
    expect(findSubmittedJob([other], 'wf1', SENT)).toBeUndefined()
  })

  it('cannot rule out a job without a submission time, running or ended', () => {
    expect(findSubmittedJob([job('5', null)], 'wf1', SENT)).toBe('unknown')
    // A short job may already have ended: an undated one could still be ours.
    expect(findSubmittedJob([job('5', null, 'COMPLETED')], 'wf1', SENT)).toBe('unknown')
  })

  it('dates a job by its startedAt when it has no submittedAt', () => {
    const started = parseJob({
      jobId: '8',
      workflowExternalLabel: 'wf1',
      state: 'COMPLETED',
      startedAt: '2026-12-04T10:00:01.000Z'
    })
    expect(findSubmittedJob([started], 'wf1', SENT)).toMatchObject({ jobId: '8' })
  })

  it('cannot follow a job since the request that has no id', () => {
    const anonymous = parseJob({
      workflowExternalLabel: 'wf1',
      state: 'RUNNING',
      submittedAt: '2026-12-04T10:00:01.000Z'
    })
    expect(findSubmittedJob([anonymous], 'wf1', SENT)).toBe('unknown')
  })
})
