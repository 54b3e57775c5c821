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

  it('cannot rule out a running job without a submission time', () => {
    expect(findSubmittedJob([job('5', null)], 'wf1', SENT)).toBe('unknown')
    expect(findSubmittedJob([job('5', null, 'COMPLETED')], 'wf1', SENT)).toBeUndefined()
  })
})
