// End-to-end tests of the simulator: real HTTP on 127.0.0.1, port 0. Timing-dependent tests only
// assert order and final values, waiting by polling against a generous deadline.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from '@jest/globals'
import { authorizationHeader, JobState, paths, type WireJob } from '../src/contract.js'
import { executionsPerWorkflow, phasesOrdered } from '../src/simulator/log.js'
import { parseScenario } from '../src/simulator/scenario.js'
import { startSimulator, type RunningSimulator } from '../src/simulator/server.js'

const API_KEY = 'sim-secret-key'
const AUTH = authorizationHeader('default', API_KEY)
const DEADLINE_MS = 15_000

const running: RunningSimulator[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map(sim => sim.close()))
})

async function start(
  raw: Record<string, unknown>,
  options: { requestLogFile?: string } = {}
): Promise<RunningSimulator> {
  const sim = await startSimulator(parseScenario({ apiKey: API_KEY, ...raw }), options)
  running.push(sim)
  return sim
}

interface Answer {
  status: number
  body: unknown
  headers: Headers
}

async function call(
  sim: RunningSimulator,
  method: 'GET' | 'POST',
  path: string,
  options: { auth?: string | null; body?: unknown; rawBody?: string } = {}
): Promise<Answer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  const auth = options.auth === undefined ? AUTH : options.auth
  if (auth !== null) headers.Authorization = auth
  const body =
    options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
  const res = await fetch(new URL(path, sim.apiRoot), { method, headers, body })
  const text = await res.text()
  return {
    status: res.status,
    body: text === '' ? undefined : JSON.parse(text),
    headers: res.headers
  }
}

const execute = (sim: RunningSimulator, workflow: string, auth?: string | null) =>
  call(sim, 'POST', paths.execute(), { body: { externalLabel: workflow }, auth })
const getJob = async (sim: RunningSimulator, jobId: string): Promise<WireJob> => {
  const answer = await call(sim, 'GET', paths.job(jobId))
  expect(answer.status).toBe(200)
  return answer.body as WireJob
}
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/** Polls the job until `done` says so, returning every snapshot seen; fails at the deadline. */
async function pollJob(
  sim: RunningSimulator,
  jobId: string,
  done: (job: WireJob) => boolean
): Promise<WireJob[]> {
  const seen: WireJob[] = []
  const deadline = Date.now() + DEADLINE_MS
  for (;;) {
    const job = await getJob(sim, jobId)
    seen.push(job)
    if (done(job)) return seen
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.state} at the deadline`)
    await sleep(15)
  }
}

const ended = (job: WireJob) => job.finishedAt !== null

async function expectConnectionError(promise: Promise<unknown>): Promise<void> {
  // fetch reports a destroyed connection as "fetch failed" with the socket error as its cause.
  await expect(promise).rejects.toThrow('fetch failed')
}

describe('simulator: authorization, tenancy and routing', () => {
  it('refuses a missing, malformed or wrong Authorization with 401 and never quotes the key', async () => {
    const sim = await start({ workflows: { wf1: null } })
    for (const auth of [
      null,
      API_KEY,
      'default wrong-key',
      `other ${API_KEY}`,
      `Bearer ${API_KEY}`
    ]) {
      const answer = await execute(sim, 'wf1', auth)
      expect(answer.status).toBe(401)
      expect((answer.body as { message: string }).message).toEqual(expect.any(String))
      expect(JSON.stringify(answer.body)).not.toContain(API_KEY)
    }
    expect(sim.stats().jobs).toEqual([])
    expect((await execute(sim, 'wf1')).status).toBe(201)
  })

  it('uses the scenario’s environment label', async () => {
    const sim = await start({ environment: 'prod', workflows: { wf1: null } })
    expect((await execute(sim, 'wf1')).status).toBe(401)
    expect((await execute(sim, 'wf1', authorizationHeader('prod', API_KEY))).status).toBe(201)
  })

  it('answers 404 for another tenancy, naming it', async () => {
    const sim = await start({ tenancy: 'acme', workflows: { wf1: null } })
    const wrong = await fetch(`${sim.url}/api/1/${paths.execute()}`, {
      method: 'POST',
      headers: { Authorization: AUTH },
      body: JSON.stringify({ externalLabel: 'wf1' })
    })
    expect(wrong.status).toBe(404)
    expect(((await wrong.json()) as { message: string }).message).toContain("'1'")
    expect(sim.apiRoot).toBe(`${sim.url}/api/acme/`)
    expect((await execute(sim, 'wf1')).status).toBe(201)
  })

  it('answers 404 for an unknown workflow, job or route', async () => {
    const sim = await start({ workflows: { wf1: null } })
    expect(await execute(sim, 'nope')).toMatchObject({
      status: 404,
      body: { message: "No workflow with external label 'nope' in environment 'default'" }
    })
    const job = await call(sim, 'GET', paths.job('999'))
    expect(job.status).toBe(404)
    expect((job.body as { message: string }).message).toContain('999')
    expect((await call(sim, 'GET', 'workflows/execute')).status).toBe(404)
    expect((await call(sim, 'POST', 'jobs/1001/pause')).status).toBe(404)
  })

  it('answers 400 for a bad body, a missing label or a parameter the workflow lacks', async () => {
    const sim = await start({ workflows: { wf1: { parameters: ['region'] } } })
    expect((await call(sim, 'POST', paths.execute(), { rawBody: '{not json' })).status).toBe(400)
    expect((await call(sim, 'POST', paths.execute(), { body: ['wf1'] })).status).toBe(400)
    const noLabel = await call(sim, 'POST', paths.execute(), { body: { label: 'wf1' } })
    expect(noLabel.status).toBe(400)
    expect((noLabel.body as { message: string }).message).toContain('externalLabel')
    const badParameter = await call(sim, 'POST', paths.execute(), {
      body: { externalLabel: 'wf1', workflowParameters: { country: 'UK' } }
    })
    expect(badParameter).toMatchObject({
      status: 400,
      body: { message: "Workflow 'wf1' has no parameter 'country'" }
    })
    const good = await call(sim, 'POST', paths.execute(), {
      body: { externalLabel: 'wf1', workflowParameters: { region: 'EU' } }
    })
    expect(good.status).toBe(201)
    expect(sim.stats().jobs).toHaveLength(1)
  })

  it('lets the wildcard make any label exist', async () => {
    const sim = await start({ workflows: { '*': { duration: '1s' } } })
    const answer = await execute(sim, 'bench-0417')
    expect(answer.status).toBe(201)
    const { jobId } = answer.body as { jobId: string }
    expect((await getJob(sim, jobId)).workflowExternalLabel).toBe('bench-0417')
  })
})

describe('simulator: jobs', () => {
  it('answers 201 with increasing string ids, QUEUED', async () => {
    const sim = await start({ workflows: { wf1: null } })
    expect(await execute(sim, 'wf1')).toMatchObject({
      status: 201,
      body: { jobId: '1001', state: 'QUEUED' }
    })
    expect((await execute(sim, 'wf1')).body).toEqual({ jobId: '1002', state: 'QUEUED' })
  })

  it('moves a job QUEUED → RUNNING → COMPLETED, its step counters growing to their final values', async () => {
    const sim = await start({
      workflows: {
        wf1: {
          queued: '300ms',
          duration: '600ms',
          steps: [
            { name: 'Load customers', rowCount: 1200 },
            { name: 'Validate addresses', rowCount: 1100, failedRowCount: 40 }
          ]
        }
      }
    })
    const { jobId } = (await execute(sim, 'wf1')).body as { jobId: string }
    const seen = await pollJob(sim, jobId, ended)

    const order: string[] = [JobState.Queued, JobState.Running, JobState.Completed]
    const states = seen.map(job => job.state)
    expect(states[0]).toBe('QUEUED')
    expect(states).toContain('RUNNING')
    expect(states.at(-1)).toBe('COMPLETED')
    for (let i = 1; i < states.length; i++) {
      expect(order.indexOf(states[i] as string)).toBeGreaterThanOrEqual(
        order.indexOf(states[i - 1] as string)
      )
    }
    for (const job of seen) {
      expect(job.startedAt === null).toBe(job.state === 'QUEUED')
      expect(job.finishedAt === null).toBe(job.state !== 'COMPLETED')
    }
    // Counters never go down from one snapshot to the next.
    for (let i = 1; i < seen.length; i++) {
      for (const [index, step] of (seen[i] as WireJob).steps.entries()) {
        const before = (seen[i - 1] as WireJob).steps[index]
        expect(step.rowCount as number).toBeGreaterThanOrEqual(before?.rowCount as number)
      }
    }
    const last = seen.at(-1) as WireJob
    expect(last.steps).toEqual([
      { name: 'Load customers', state: 'COMPLETED', rowCount: 1200 },
      { name: 'Validate addresses', state: 'COMPLETED', rowCount: 1100, failedRowCount: 40 }
    ])
    expect(Date.parse(last.submittedAt as string)).toBeLessThanOrEqual(
      Date.parse(last.startedAt as string)
    )
    expect(Date.parse(last.startedAt as string)).toBeLessThan(Date.parse(last.finishedAt as string))
    expect(seen.some(job => job.steps.some(step => step.state === 'RUNNING'))).toBe(true)
  })

  it('fails a failing workflow with its message, in its failing step', async () => {
    const sim = await start({
      workflows: {
        wf3: {
          queued: 0,
          duration: '300ms',
          outcome: 'FAILED',
          message: 'Validate addresses: 312 rows failed',
          failingStep: 'Validate addresses',
          steps: ['Load customers', 'Validate addresses', 'Export results']
        }
      }
    })
    const { jobId } = (await execute(sim, 'wf3')).body as { jobId: string }
    const last = (await pollJob(sim, jobId, ended)).at(-1) as WireJob
    expect(last).toMatchObject({ state: 'FAILED', message: 'Validate addresses: 312 rows failed' })
    expect(last.steps.map(step => step.state)).toEqual(['COMPLETED', 'FAILED', 'QUEUED'])
  })

  it('cancels a running job, and answers an ended job unchanged', async () => {
    const sim = await start({
      workflows: { stuck: { duration: 'never' }, quick: { queued: 0, duration: 0 } }
    })
    const stuck = ((await execute(sim, 'stuck')).body as { jobId: string }).jobId
    const cancelled = await call(sim, 'POST', paths.cancel(stuck))
    expect(cancelled.status).toBe(200)
    expect(cancelled.body).toMatchObject({ jobId: stuck, state: 'CANCELLED' })
    expect((cancelled.body as WireJob).finishedAt).not.toBeNull()
    expect(await getJob(sim, stuck)).toEqual(cancelled.body)

    const quick = ((await execute(sim, 'quick')).body as { jobId: string }).jobId
    const done = (await pollJob(sim, quick, ended)).at(-1)
    const again = await call(sim, 'POST', paths.cancel(quick))
    expect(again).toMatchObject({ status: 200, body: done })
    expect((again.body as WireJob).state).toBe('COMPLETED')
    expect((await call(sim, 'POST', paths.cancel('4242'))).status).toBe(404)
  })

  it('can pretend to have no cancel endpoint', async () => {
    const sim = await start({ cancelEndpoint: 501, workflows: { wf1: { duration: 'never' } } })
    const { jobId } = (await execute(sim, 'wf1')).body as { jobId: string }
    expect((await call(sim, 'POST', paths.cancel(jobId))).status).toBe(501)
    expect(await getJob(sim, jobId)).toMatchObject({ finishedAt: null })
    expect((await getJob(sim, jobId)).state).not.toBe('CANCELLED')
  })

  it('reports a state the contract does not know', async () => {
    const sim = await start({ workflows: { wf1: { unknownState: 'PAUSED' } } })
    const { jobId } = (await execute(sim, 'wf1')).body as { jobId: string }
    expect(await getJob(sim, jobId)).toMatchObject({ state: 'PAUSED', finishedAt: null })
  })

  it('lists jobs newest first, filtered by workflow', async () => {
    const sim = await start({ workflows: { wf1: null, wf2: null } })
    for (const workflow of ['wf1', 'wf2', 'wf1']) await execute(sim, workflow)
    const wf1 = await call(sim, 'GET', paths.jobs('wf1'))
    expect(wf1.status).toBe(200)
    expect((wf1.body as { jobs: WireJob[] }).jobs.map(job => job.jobId)).toEqual(['1003', '1001'])
    expect((wf1.body as { jobs: WireJob[] }).jobs[0]?.workflowExternalLabel).toBe('wf1')
    const all = await call(sim, 'GET', 'jobs')
    expect((all.body as { jobs: WireJob[] }).jobs.map(job => job.jobId)).toEqual([
      '1003',
      '1002',
      '1001'
    ])
    const none = await call(sim, 'GET', paths.jobs('wf9'))
    expect(none.body).toEqual({ jobs: [] })
  })
})

describe('simulator: faults', () => {
  it('answers errors from the configured codes at rate 1, creating no job', async () => {
    const sim = await start({
      workflows: { wf1: null },
      faults: { execute: { errorRate: 1, errorCodes: [502, 504] } }
    })
    const statuses = new Set<number>()
    for (let i = 0; i < 20; i++) statuses.add((await execute(sim, 'wf1')).status)
    expect([...statuses].sort()).toEqual([502, 504])
    expect(sim.stats().executions).toEqual({})
    // Other kinds are untouched.
    expect((await call(sim, 'GET', paths.jobs('wf1'))).status).toBe(200)
  })

  it('gives the same faults for the same seed', async () => {
    const scenario = { seed: 7, workflows: { wf1: null }, faults: { all: { errorRate: 0.5 } } }
    const statusesOf = async (sim: RunningSimulator) => {
      const statuses: number[] = []
      for (let i = 0; i < 20; i++) statuses.push((await call(sim, 'GET', paths.jobs('wf1'))).status)
      return statuses
    }
    const first = await statusesOf(await start(scenario))
    expect(await statusesOf(await start(scenario))).toEqual(first)
    expect(first).toContain(200)
    expect(first.some(status => status >= 500)).toBe(true)
  })

  it('answers 429 with Retry-After', async () => {
    const sim = await start({
      workflows: { wf1: null },
      faults: { job: { rateLimitRate: 1, retryAfter: 7 } }
    })
    const { jobId } = (await execute(sim, 'wf1')).body as { jobId: string }
    const answer = await call(sim, 'GET', paths.job(jobId))
    expect(answer.status).toBe(429)
    expect(answer.headers.get('retry-after')).toBe('7')
  })

  it('drops connections without answering, and logs them as dropped', async () => {
    const sim = await start({ workflows: { wf1: null }, faults: { jobs: { dropRate: 1 } } })
    await expectConnectionError(call(sim, 'GET', paths.jobs('wf1')))
    expect((await execute(sim, 'wf1')).status).toBe(201)
    expect(sim.log().map(entry => [entry.route, entry.status, entry.fault])).toEqual([
      ['jobs', 'dropped', 'drop'],
      ['execute', 201, undefined]
    ])
  })

  it('accepts then drops: the job exists though the client got a socket error', async () => {
    const sim = await start({
      workflows: { wf1: null },
      faults: { execute: { acceptThenDrop: { first: 1 } } }
    })
    await expectConnectionError(execute(sim, 'wf1'))
    const listed = await call(sim, 'GET', paths.jobs('wf1'))
    expect((listed.body as { jobs: WireJob[] }).jobs.map(job => job.jobId)).toEqual(['1001'])
    expect((await execute(sim, 'wf1')).body).toMatchObject({ jobId: '1002' })
    expect(sim.stats().executions).toEqual({ wf1: 2 })
    expect(sim.log()[0]).toMatchObject({
      route: 'execute',
      status: 'dropped',
      fault: 'accept-then-drop',
      workflow: 'wf1',
      jobId: '1001'
    })
  })

  it('answers 503 to everything during a downtime window, then recovers', async () => {
    const sim = await start({ workflows: { wf1: null }, downtime: { start: 0, duration: '2s' } })
    const first = await execute(sim, 'wf1')
    expect(first.status).toBe(503)
    const deadline = Date.now() + DEADLINE_MS
    let answer = first
    while (answer.status === 503 && Date.now() < deadline) {
      await sleep(100)
      answer = await call(sim, 'GET', paths.jobs('wf1'))
    }
    expect(answer.status).toBe(200)
    expect(sim.log()[0]).toMatchObject({ status: 503, fault: 'downtime' })
  })

  it('can drop connections during downtime instead, leaving /_sim up', async () => {
    const sim = await start({
      workflows: { wf1: null },
      downtime: [{ start: 0, duration: '1h', mode: 'drop' }]
    })
    await expectConnectionError(execute(sim, 'wf1'))
    expect((await fetch(`${sim.url}/_sim/stats`)).status).toBe(200)
  })

  it('adds latency', async () => {
    const sim = await start({ workflows: { wf1: null }, faults: { all: { latency: '300ms' } } })
    const before = Date.now()
    expect((await call(sim, 'GET', paths.jobs('wf1'))).status).toBe(200)
    expect(Date.now() - before).toBeGreaterThanOrEqual(290)
    expect(sim.log()[0]?.durationMs).toBeGreaterThanOrEqual(290)
  })

  it('echoes the Authorization header in error bodies when told to be hostile', async () => {
    const sim = await start({ echoAuthorization: true, workflows: { wf1: null } })
    const wrong = await execute(sim, 'wf1', 'default leaked-key-123')
    expect(wrong.status).toBe(401)
    expect(JSON.stringify(wrong.body)).toContain('leaked-key-123')
    const unknown = await execute(sim, 'nope')
    expect((unknown.body as { message: string }).message).toContain(API_KEY)
  })
})

describe('simulator: request log and stats', () => {
  it('logs every API request, to memory, /_sim/log and the request-log file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sim-log-')), 'requests.jsonl')
    const sim = await start({ workflows: { wf1: null } }, { requestLogFile: file })
    const { jobId } = (await execute(sim, 'wf1')).body as { jobId: string }
    await getJob(sim, jobId)
    await call(sim, 'GET', `${paths.jobs('wf1')}`)
    await execute(sim, 'wf1', null)

    const log = sim.log()
    expect(log.map(e => [e.method, e.path, e.status, e.route, e.workflow, e.jobId])).toEqual([
      ['POST', '/api/1/workflows/execute', 201, 'execute', 'wf1', '1001'],
      ['GET', '/api/1/jobs/1001', 200, 'job', 'wf1', '1001'],
      ['GET', '/api/1/jobs?workflowExternalLabel=wf1', 200, 'jobs', 'wf1', undefined],
      ['POST', '/api/1/workflows/execute', 401, 'execute', 'wf1', undefined]
    ])
    for (const entry of log) {
      expect(Date.parse(entry.time)).not.toBeNaN()
      expect(entry.sinceStartMs).toBeGreaterThanOrEqual(0)
      expect(entry.durationMs).toBeGreaterThanOrEqual(0)
    }
    const served = (await (await fetch(`${sim.url}/_sim/log`)).json()) as unknown
    expect(served).toEqual(log)
    const lines = readFileSync(file, 'utf8').trim().split('\n')
    expect(lines.map(line => JSON.parse(line) as unknown)).toEqual(log)
    expect(executionsPerWorkflow(log)).toEqual({ wf1: 1 })
  })

  it('reports executions, job lifecycles and the peak of jobs running at once', async () => {
    const sim = await start({
      workflows: { '*': { queued: '50ms', duration: '300ms' } }
    })
    const [a, b] = await Promise.all([execute(sim, 'wf1'), execute(sim, 'wf2')])
    for (const answer of [a, b]) await pollJob(sim, (answer.body as { jobId: string }).jobId, ended)
    const c = await execute(sim, 'wf3')
    await pollJob(sim, (c.body as { jobId: string }).jobId, ended)
    await execute(sim, 'wf3')

    const stats = sim.stats()
    expect(stats.executions).toEqual({ wf1: 1, wf2: 1, wf3: 2 })
    expect(stats.peakRunning).toBe(2)
    expect(stats.jobs.map(job => [job.workflow, job.state])).toEqual([
      ['wf1', 'COMPLETED'],
      ['wf2', 'COMPLETED'],
      ['wf3', 'COMPLETED'],
      ['wf3', expect.stringMatching(/^(QUEUED|RUNNING)$/)]
    ])
    expect(stats.jobs[3]?.endedAt).toBeNull()
    const ordered = stats.jobs.slice(0, 3)
    expect(phasesOrdered(ordered, [['wf1', 'wf2'], ['wf3']])).toEqual({ ok: true, violations: [] })
    expect(phasesOrdered(ordered, [['wf3'], ['wf1']]).ok).toBe(false)

    const served = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as typeof stats
    expect(served.executions).toEqual(stats.executions)
    expect(served.peakRunning).toBe(2)
    expect((await fetch(`${sim.url}/_sim/nothing`)).status).toBe(404)
  })

  it('starts from YAML text and closes with a keep-alive connection open', async () => {
    const sim = await startSimulator(`apiKey: ${API_KEY}\nworkflows:\n  wf1:\n`)
    const answer = await fetch(new URL(paths.execute(), sim.apiRoot), {
      method: 'POST',
      headers: { Authorization: AUTH, Connection: 'keep-alive' },
      body: JSON.stringify({ externalLabel: 'wf1' })
    })
    expect(answer.status).toBe(201)
    await sim.close() // would hang on the kept-alive socket without closeAllConnections
    await expectConnectionError(fetch(`${sim.url}/_sim/stats`))
  })
})
