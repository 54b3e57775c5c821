import { beforeEach, afterEach, describe, expect, it, jest } from '@jest/globals'
import nock from 'nock'
import * as fixture from './fixtures/core.js'

jest.unstable_mockModule('@actions/core', () => fixture.core)
const { run } = await import('../src/main.js')

const SERVER = 'http://datastudio.test:7701'
const KEY = 'main-test-KEY-42'
const base = {
  'server-url': SERVER,
  'api-key': KEY,
  phases: 'wf1\nwf2, wf3',
  'poll-interval': '50ms'
}

/** A server whose jobs are COMPLETED at the first look (or FAILED for the labels given). */
function server(failing: string[] = []) {
  let next = 1
  const jobs = new Map<string, string>()
  return nock(SERVER)
    .persist()
    .post('/api/1/workflows/execute')
    .reply(201, (_uri, body) => {
      const id = String(next++)
      jobs.set(id, (body as { externalLabel: string }).externalLabel)
      return { jobId: id, state: 'QUEUED' }
    })
    .get(/\/api\/1\/jobs\/\d+$/)
    .reply(200, uri => {
      const id = uri.split('/').pop() as string
      const label = jobs.get(id) as string
      return {
        jobId: id,
        workflowExternalLabel: label,
        state: failing.includes(label) ? 'FAILED' : 'COMPLETED',
        message: failing.includes(label) ? 'Rule check failed' : null,
        startedAt: '2026-12-04T10:00:00.000Z',
        finishedAt: '2026-12-04T10:00:02.500Z',
        steps: [{ name: 'Load customers', state: 'COMPLETED', rowCount: 1000 }]
      }
    })
}

beforeEach(() => fixture.reset(base))
afterEach(() => nock.cleanAll())

describe('run', () => {
  it('masks the key before anything is logged', async () => {
    server()
    await run()
    expect(fixture.secrets).toEqual([KEY])
    expect(fixture.log[0]?.level).toBe('setSecret')
  })

  it('runs the plan and sets every output', async () => {
    server()
    await run()
    expect(fixture.failed).toBeUndefined()
    expect(fixture.outputs.result).toBe('success')
    expect(fixture.outputs['failed-workflows']).toBe('')
    expect(Number(fixture.outputs['duration-seconds'])).toBeGreaterThanOrEqual(0)
    const results = JSON.parse(fixture.outputs.results as string)
    expect(
      results.map((r: { workflow: string; outcome: string; phase: number }) => [
        r.phase,
        r.workflow,
        r.outcome
      ])
    ).toEqual([
      [1, 'wf1', 'success'],
      [2, 'wf2', 'success'],
      [2, 'wf3', 'success']
    ])
    expect(results[0].durationSeconds).toBe(2.5)
    expect(results[0].steps).toEqual([
      { name: 'Load customers', state: 'COMPLETED', rowCount: 1000 }
    ])
    expect(fixture.summaryText).toContain('## ✅ Data Studio workflows succeeded')
    expect(fixture.log.filter(l => l.level === 'group').map(l => l.message)).toEqual([
      'Phase 1 of 2: wf1',
      'Phase 2 of 2: wf2, wf3'
    ])
    expect(fixture.log.some(l => l.message === '[wf1] submitted as job 1')).toBe(true)
    expect(fixture.log.at(-1)?.message).toMatch(/^Result: success — all 3 workflows succeeded/)
  })

  it('fails the step naming the failed workflow, with an annotation', async () => {
    server(['wf1'])
    await run()
    expect(fixture.outputs.result).toBe('failure')
    expect(fixture.outputs['failed-workflows']).toBe('wf1')
    expect(fixture.failed).toBe('1 workflow did not succeed: wf1 (failed); 2 not started: wf2, wf3')
    const annotation = fixture.log.find(l => l.level === 'error')
    expect(annotation?.title).toBe('Data Studio workflow wf1: failed')
    expect(annotation?.message).toContain('Rule check failed')
    expect(fixture.summaryText).toContain('### Phase 2 of 2 — ⏭️ skipped')
  })

  it('rejects a bad input before sending any request', async () => {
    const scope = server()
    fixture.reset({ ...base, 'max-duration': 'forever' })
    await run()
    expect(fixture.failed).toBe(
      "Input 'max-duration' is 'forever': expected a number of seconds or a duration such as 90s, 10m, 1h30m, 2h or 500ms."
    )
    expect(scope.pendingMocks().length).toBeGreaterThan(0)
    expect(scope.activeMocks().length).toBe(2)
    // Later steps can still test the outcome, and the summary says why nothing ran.
    expect(fixture.outputs.result).toBe('failure')
    expect(fixture.outputs.results).toBe('[]')
    expect(fixture.summaryText).toContain('## ❌ Data Studio run not started')
    expect(fixture.summaryText).toContain("Input 'max-duration' is 'forever'")
  })

  it('never writes the key: log, outputs and summary are free of it', async () => {
    nock(SERVER)
      .post('/api/1/workflows/execute')
      .times(3)
      .reply(401, { message: `Authorization default ${KEY} rejected` })
    await run()
    const written = JSON.stringify([
      fixture.log,
      fixture.outputs,
      fixture.summaryText,
      fixture.failed
    ])
    expect(written).not.toContain(KEY)
    expect(fixture.failed).toContain('wf1 (failed)')
    expect(fixture.summaryText).toContain('refused the API key (401)')
  })
})
