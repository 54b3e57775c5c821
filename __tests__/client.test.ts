import { afterEach, describe, expect, it } from '@jest/globals'
import nock from 'nock'
import { ApiError, DataStudioClient, type ClientOptions } from '../src/client.js'
import { buildPlan } from '../src/plan.js'

const SERVER = 'http://datastudio.test:7701'
const KEY = 'k3y-SECRET-123'
const [[workflow]] = buildPlan(
  [['wf1']],
  { maxDurationMs: undefined, minDurationMs: undefined },
  { version: 'PreferDraft', refreshSources: true, parameters: { region: 'EMEA' }, space: 'Sales' }
) as [[ReturnType<typeof buildPlan>[number][number]]]

function client(overrides: Partial<ClientOptions> = {}): DataStudioClient {
  return new DataStudioClient({
    serverUrl: SERVER,
    tenancy: '1',
    environment: 'default',
    apiKey: KEY,
    requestTimeoutMs: 2_000,
    retryPolicy: { budgetMs: 2_000, baseDelayMs: 5, maxDelayMs: 20 },
    ...overrides
  })
}

/** nock 14 needs a real Error to emit one (a plain object breaks its interceptor). */
function netError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code })
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError)
    return error as ApiError
  }
  throw new Error('expected the call to fail')
}

afterEach(() => {
  nock.abortPendingRequests()
  nock.cleanAll()
})

describe('execute', () => {
  it('posts the documented body with the label-and-key Authorization header', async () => {
    let body: unknown
    const scope = nock(SERVER, { reqheaders: { authorization: `default ${KEY}` } })
      .post('/api/1/workflows/execute', b => {
        body = b
        return true
      })
      .matchHeader('content-type', 'application/json')
      .reply(201, { jobId: 1042, state: 'QUEUED' })

    await expect(client().execute(workflow)).resolves.toBe('1042')
    expect(body).toEqual({
      externalLabel: 'wf1',
      spaceExternalLabel: 'Sales',
      versionToExecute: 'PreferDraft',
      dependenciesToUse: 'PreferDraft',
      refreshSources: true,
      workflowParameters: { region: 'EMEA' }
    })
    expect(scope.isDone()).toBe(true)
  })

  it.each([
    [{ executionId: 'e-7' }, 'e-7'],
    [{ id: 9 }, '9']
  ])('reads the job id tolerantly from %j', async (answer, id) => {
    nock(SERVER).post('/api/1/workflows/execute').reply(202, answer)
    await expect(client().execute(workflow)).resolves.toBe(id)
  })

  it('never resends an execute whose answer was a 503: it may have started', async () => {
    const scope = nock(SERVER).post('/api/1/workflows/execute').times(2).reply(503, {})
    const error = await failure(client().execute(workflow))
    expect(error.status).toBe(503)
    expect(error.mayHaveReachedServer).toBe(true)
    expect(scope.pendingMocks()).toHaveLength(1) // the second reply was never asked for
  })

  it('never resends an execute whose connection was reset after sending', async () => {
    const scope = nock(SERVER)
      .post('/api/1/workflows/execute')
      .replyWithError(netError('ECONNRESET', 'socket hang up'))
      .post('/api/1/workflows/execute')
      .reply(201, { jobId: '1' })
    const error = await failure(client().execute(workflow))
    expect(error.kind).toBe('network')
    expect(error.mayHaveReachedServer).toBe(true)
    expect(scope.pendingMocks()).toHaveLength(1)
  })

  it('resends an execute whose connection was refused: it provably never arrived', async () => {
    const retries: string[] = []
    nock(SERVER)
      .post('/api/1/workflows/execute')
      .replyWithError(netError('ECONNREFUSED', 'connect ECONNREFUSED'))
      .post('/api/1/workflows/execute')
      .reply(201, { jobId: '77' })
    await expect(client({ onRetry: m => retries.push(m) }).execute(workflow)).resolves.toBe('77')
    expect(retries).toHaveLength(1)
    expect(retries[0]).toContain('ECONNREFUSED')
  })

  it('explains a refused key without printing it', async () => {
    nock(SERVER)
      .post('/api/1/workflows/execute')
      .reply(401, { message: `bad key ${KEY}` })
    const error = await failure(client().execute(workflow))
    expect(error.kind).toBe('auth')
    expect(error.message).toContain(
      "Data Studio refused the API key (401) for environment 'default'"
    )
    expect(error.message).toContain("'api-key'")
    expect(error.message).not.toContain(KEY)
    expect(error.message).toContain('bad key ***')
  })

  it('explains a missing permission (403)', async () => {
    nock(SERVER).post('/api/1/workflows/execute').reply(403, {})
    const error = await failure(client().execute(workflow))
    expect(error.kind).toBe('forbidden')
    expect(error.message).toContain('lacks the permission')
  })

  it('explains an unknown workflow label (404)', async () => {
    nock(SERVER).post('/api/1/workflows/execute').reply(404, { message: 'Not found' })
    const error = await failure(client().execute(workflow))
    expect(error.kind).toBe('not-found')
    expect(error.message).toContain(
      "Data Studio has no workflow with external label 'wf1' in environment 'default' (tenancy '1') (404)"
    )
    expect(error.message).toContain('Data Studio said: Not found')
  })

  it('passes a bad-request message on (400)', async () => {
    nock(SERVER)
      .post('/api/1/workflows/execute')
      .reply(400, { message: "Unknown parameter 'regoin'" })
    const error = await failure(client().execute(workflow))
    expect(error.message).toContain("Unknown parameter 'regoin'")
  })

  it('reports a redirect instead of following it', async () => {
    nock(SERVER)
      .post('/api/1/workflows/execute')
      .reply(301, '', { Location: 'https://datastudio.test:7701/api/1/workflows/execute' })
    const error = await failure(client().execute(workflow))
    expect(error.message).toContain('redirected (301) to https://datastudio.test:7701')
    expect(error.message).toContain("set 'server-url'")
  })

  it('says so when the answer is an HTML page, not JSON', async () => {
    nock(SERVER).post('/api/1/workflows/execute').reply(200, '<html><body>Sign in</body></html>')
    const error = await failure(client().execute(workflow))
    expect(error.kind).toBe('answer')
    expect(error.message).toContain('not JSON (<html><body>Sign in</body></html>)')
  })

  it('says so when the answer has no job id', async () => {
    nock(SERVER).post('/api/1/workflows/execute').reply(201, { state: 'QUEUED' })
    const error = await failure(client().execute(workflow))
    expect(error.message).toContain('no job id')
  })
})

describe('getJob', () => {
  const running = {
    jobId: '5',
    state: 'RUNNING',
    steps: [{ name: 'Load', state: 'RUNNING', rowCount: 3 }]
  }

  it('reads the job and its steps', async () => {
    nock(SERVER).get('/api/1/jobs/5').reply(200, running)
    const job = await client().getJob('5')
    expect(job.state).toBe('RUNNING')
    expect(job.stateClass).toBe('active')
    expect(job.steps).toEqual([{ name: 'Load', state: 'RUNNING', counters: { rowCount: 3 } }])
  })

  it('retries transient failures (5xx, 429, resets) and then reads the job', async () => {
    const retries: string[] = []
    const scope = nock(SERVER)
      .get('/api/1/jobs/5')
      .reply(503, {})
      .get('/api/1/jobs/5')
      .reply(429, {}, { 'Retry-After': '0' })
      .get('/api/1/jobs/5')
      .replyWithError(netError('ECONNRESET', 'socket hang up'))
      .get('/api/1/jobs/5')
      .reply(502, 'Bad gateway')
      .get('/api/1/jobs/5')
      .reply(200, running)
    const job = await client({ onRetry: m => retries.push(m) }).getJob('5')
    expect(job.jobId).toBe('5')
    expect(retries).toHaveLength(4)
    expect(scope.isDone()).toBe(true)
  })

  it('does not retry a client error other than 429', async () => {
    const scope = nock(SERVER).get('/api/1/jobs/5').times(2).reply(404, {})
    const error = await failure(client().getJob('5'))
    expect(error.message).toContain('Data Studio does not know job 5 (404)')
    expect(scope.pendingMocks()).toHaveLength(1)
  })

  it('gives up when the retry budget is spent', async () => {
    nock(SERVER).get('/api/1/jobs/5').times(1000).reply(500, {})
    const error = await failure(
      client({ retryPolicy: { budgetMs: 150, baseDelayMs: 5, maxDelayMs: 20 } }).getJob('5')
    )
    expect(error.status).toBe(500)
  })

  it('enforces the request timeout on a server that never answers', async () => {
    nock(SERVER).get('/api/1/jobs/5').delay(3_000).reply(200, running)
    const error = await failure(
      client({
        requestTimeoutMs: 100,
        retryPolicy: { budgetMs: 0, baseDelayMs: 5, maxDelayMs: 5 }
      }).getJob('5')
    )
    expect(error.kind).toBe('timeout')
    expect(error.message).toContain(
      "no answer within the request timeout (100ms, input 'request-timeout')"
    )
  })

  it('rejects an answer without a state', async () => {
    nock(SERVER).get('/api/1/jobs/5').reply(200, { jobId: '5' })
    const error = await failure(client().getJob('5'))
    expect(error.message).toContain('no state')
  })
})

describe('listJobs and cancel', () => {
  it('lists the jobs of one workflow', async () => {
    nock(SERVER)
      .get('/api/1/jobs')
      .query({ workflowExternalLabel: 'wf1' })
      .reply(200, {
        jobs: [
          { jobId: '2', state: 'RUNNING' },
          { jobId: '1', state: 'COMPLETED' }
        ]
      })
    const jobs = await client().listJobs('wf1')
    expect(jobs.map(j => j.jobId)).toEqual(['2', '1'])
  })

  it('cancels a job', async () => {
    const scope = nock(SERVER)
      .post('/api/1/jobs/5/cancel')
      .reply(202, { jobId: '5', state: 'CANCELLED' })
    await expect(client().cancel('5')).resolves.toMatchObject({
      supported: true,
      job: { jobId: '5', state: 'CANCELLED' }
    })
    expect(scope.isDone()).toBe(true)
  })

  it('accepts a cancel answered without the job', async () => {
    nock(SERVER).post('/api/1/jobs/5/cancel').reply(202, '')
    await expect(client().cancel('5')).resolves.toEqual({ supported: true, job: undefined })
  })

  it.each([404, 405, 501])('reports a server without a cancel endpoint (%i)', async status => {
    nock(SERVER).post('/api/1/jobs/5/cancel').reply(status, {})
    await expect(client().cancel('5')).resolves.toEqual({ supported: false })
  })

  it('gives a cancel a few seconds in all, however long request-timeout is', async () => {
    // Two hung attempts would take 60 s with the request timeout alone.
    nock(SERVER).post('/api/1/jobs/5/cancel').times(3).delay(30_000).reply(202, {})
    const started = Date.now()
    const error = await failure(client({ requestTimeoutMs: 30_000 }).cancel('5'))
    expect(error.kind).toBe('timeout')
    expect(error.message).toContain('the most a cancel may take while the run ends')
    expect(Date.now() - started).toBeLessThan(30_000)
  }, 40_000)

  it('uses the tenancy in the API root', async () => {
    const scope = nock(SERVER).get('/api/acme/jobs/5').reply(200, { jobId: '5', state: 'QUEUED' })
    await client({ tenancy: 'acme' }).getJob('5')
    expect(scope.isDone()).toBe(true)
  })
})

describe('execute refused with 429', () => {
  it('is not sent again by the client: the job list decides (submit.ts)', async () => {
    const scope = nock(SERVER)
      .post('/api/1/workflows/execute')
      .reply(429, {}, { 'Retry-After': '0' })
      .post('/api/1/workflows/execute')
      .reply(201, { jobId: '8' })
    const error = await failure(client().execute(workflow))
    expect(error.status).toBe(429)
    expect(error.retryAfterMs).toBe(0)
    expect(scope.pendingMocks()).toHaveLength(1)
  })
})

describe('the server clock', () => {
  it('is read from the Date header, for comparing job times with the request', async () => {
    const serverNow = new Date(Date.now() + 3_600_000) // an hour ahead
    nock(SERVER)
      .get('/api/1/jobs/5')
      .reply(200, { jobId: '5', state: 'RUNNING' }, { Date: serverNow.toUTCString() })
    const c = client()
    expect(c.serverClockOffsetMs()).toBe(0)
    await c.getJob('5')
    expect(Math.abs(c.serverClockOffsetMs() - 3_600_000)).toBeLessThan(5_000)
  })
})

describe('the first contact', () => {
  const patient = { budgetMs: 60_000, baseDelayMs: 5, maxDelayMs: 20 }

  it('gives up soon when the server has never answered: likely a wrong address', async () => {
    nock(SERVER)
      .get('/api/1/jobs/5')
      .times(1000)
      .replyWithError(netError('ECONNREFUSED', 'connect ECONNREFUSED'))
    let retries = 0
    const error = await failure(
      client({ retryPolicy: patient, firstContactBudgetMs: 100, onRetry: () => retries++ }).getJob(
        '5'
      )
    )
    expect(error.message).toContain('ECONNREFUSED')
    expect(retries).toBeGreaterThan(0)
    // Waits of at most 20 ms within 100 ms: a handful of tries, not the 60 s budget's thousands.
    expect(retries).toBeLessThan(50)
  })

  it('waits out refusals with the full budget once the server has answered', async () => {
    const c = client({ retryPolicy: patient, firstContactBudgetMs: 1 })
    nock(SERVER).get('/api/1/jobs/5').reply(200, { jobId: '5', state: 'RUNNING' })
    await c.getJob('5')
    nock(SERVER)
      .get('/api/1/jobs/5')
      .times(20)
      .replyWithError(netError('ECONNREFUSED', 'connect ECONNREFUSED'))
      .get('/api/1/jobs/5')
      .reply(200, { jobId: '5', state: 'COMPLETED' })
    await expect(c.getJob('5')).resolves.toMatchObject({ state: 'COMPLETED' })
  })
})
