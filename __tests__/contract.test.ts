import { describe, expect, it } from '@jest/globals'
import {
  apiRoot,
  authorizationHeader,
  classifyState,
  ContractError,
  errorMessageOf,
  executeRequestBody,
  JobState,
  matchRoute,
  parseAuthorizationHeader,
  parseExecuteResponse,
  parseJob,
  parseJobList,
  paths,
  type StateClass
} from '../src/contract.js'

function contractError(read: () => unknown): string {
  try {
    read()
  } catch (error) {
    expect(error).toBeInstanceOf(ContractError)
    return (error as Error).message
  }
  throw new Error('expected a ContractError')
}

describe('apiRoot and paths', () => {
  it.each([
    ['https://ds.example.com:7701', '1', 'https://ds.example.com:7701/api/1/'],
    ['https://ds.example.com:7701/', '1', 'https://ds.example.com:7701/api/1/'],
    ['https://ds.example.com:7701///', 'acme', 'https://ds.example.com:7701/api/acme/'],
    ['http://localhost:7701', 'my tenancy', 'http://localhost:7701/api/my%20tenancy/'],
    ['http://localhost:7701', 'a/b?c', 'http://localhost:7701/api/a%2Fb%3Fc/']
  ])('apiRoot(%j, %j) → %j', (server, tenancy, root) => {
    expect(apiRoot(server, tenancy)).toBe(root)
  })

  it.each([
    [paths.execute(), 'workflows/execute'],
    [paths.job('1042'), 'jobs/1042'],
    [paths.job('a/b c'), 'jobs/a%2Fb%20c'],
    [paths.jobs('wf1'), 'jobs?workflowExternalLabel=wf1'],
    [paths.jobs('wf 1&x=2'), 'jobs?workflowExternalLabel=wf%201%26x%3D2'],
    [paths.cancel('1042'), 'jobs/1042/cancel'],
    [paths.cancel('a/b'), 'jobs/a%2Fb/cancel']
  ])('%j is %j', (path, expected) => {
    expect(path).toBe(expected)
  })

  it('paths are relative to the root (no leading slash)', () => {
    const url = new URL(paths.job('7'), apiRoot('https://ds.example.com', '1'))
    expect(url.href).toBe('https://ds.example.com/api/1/jobs/7')
  })
})

describe('Authorization header', () => {
  it.each([
    ['default', 'k3y', 'default k3y'],
    ['prod-eu', 'abc.DEF_123', 'prod-eu abc.DEF_123']
  ])('authorizationHeader(%j, %j) → %j (label, one space, key, no Bearer)', (env, key, header) => {
    expect(authorizationHeader(env, key)).toBe(header)
    expect(authorizationHeader(env, key)).not.toMatch(/bearer/i)
  })

  it.each([
    ['default k3y', { environment: 'default', apiKey: 'k3y' }],
    ['prod key with spaces', { environment: 'prod', apiKey: 'key with spaces' }],
    ['Bearer k3y', { environment: 'Bearer', apiKey: 'k3y' }]
  ])('parseAuthorizationHeader(%j)', (header, parsed) => {
    expect(parseAuthorizationHeader(header)).toEqual(parsed)
  })

  it.each([[undefined], [''], ['k3y'], [' k3y']])('parseAuthorizationHeader(%j) → undefined', h => {
    expect(parseAuthorizationHeader(h)).toBeUndefined()
  })

  it('round-trips', () => {
    expect(parseAuthorizationHeader(authorizationHeader('default', 'k3y'))).toEqual({
      environment: 'default',
      apiKey: 'k3y'
    })
  })
})

describe('matchRoute', () => {
  it.each([
    ['POST', '/api/1/workflows/execute', { kind: 'execute', tenancy: '1' }],
    ['post', '/api/acme/workflows/execute/', { kind: 'execute', tenancy: 'acme' }],
    ['GET', '/api/1/jobs/1042', { kind: 'job', tenancy: '1', jobId: '1042' }],
    ['GET', '/api/1/jobs', { kind: 'jobs', tenancy: '1', workflow: undefined }],
    [
      'GET',
      '/api/1/jobs?workflowExternalLabel=wf2',
      { kind: 'jobs', tenancy: '1', workflow: 'wf2' }
    ],
    [
      'GET',
      '/api/1/jobs?workflowExternalLabel=wf%202&x=1',
      { kind: 'jobs', tenancy: '1', workflow: 'wf 2' }
    ],
    ['GET', '/api/1/jobs?other=wf2', { kind: 'jobs', tenancy: '1', workflow: undefined }],
    ['POST', '/api/1/jobs/1042/cancel', { kind: 'cancel', tenancy: '1', jobId: '1042' }],
    ['GET', '/api/my%20tenancy/jobs/a%2Fb', { kind: 'job', tenancy: 'my tenancy', jobId: 'a/b' }]
  ])('%s %s', (method, target, route) => {
    expect(matchRoute(method, target)).toEqual(route)
  })

  it.each([
    ['GET', '/api/1/workflows/execute'],
    ['PUT', '/api/1/workflows/execute'],
    ['POST', '/api/1/workflows'],
    ['POST', '/api/1/workflows/run'],
    ['POST', '/api/1/jobs'],
    ['POST', '/api/1/jobs/1042'],
    ['DELETE', '/api/1/jobs/1042'],
    ['GET', '/api/1/jobs/1042/cancel'],
    ['POST', '/api/1/jobs/1042/stop'],
    ['POST', '/api/1/jobs/1042/cancel/now'],
    ['GET', '/api/1'],
    ['GET', '/api'],
    ['GET', '/'],
    ['GET', '/v2/1/jobs/1042'],
    ['GET', '/api/1/datasets/1042']
  ])('%s %s → undefined', (method, target) => {
    expect(matchRoute(method, target)).toBeUndefined()
  })

  it('matches what the client builds', () => {
    const root = apiRoot('http://localhost:7701', 'my tenancy')
    const target = (path: string) => new URL(path, root).pathname + new URL(path, root).search
    expect(matchRoute('POST', target(paths.execute()))).toEqual({
      kind: 'execute',
      tenancy: 'my tenancy'
    })
    expect(matchRoute('GET', target(paths.job('x/1')))).toEqual({
      kind: 'job',
      tenancy: 'my tenancy',
      jobId: 'x/1'
    })
    expect(matchRoute('GET', target(paths.jobs('wf&1')))).toEqual({
      kind: 'jobs',
      tenancy: 'my tenancy',
      workflow: 'wf&1'
    })
    expect(matchRoute('POST', target(paths.cancel('x/1')))).toEqual({
      kind: 'cancel',
      tenancy: 'my tenancy',
      jobId: 'x/1'
    })
  })
})

describe('parseExecuteResponse', () => {
  it.each([
    [{ jobId: '1042', state: 'QUEUED' }, '1042'],
    [{ jobId: 1042 }, '1042'],
    [{ jobId: ' 1042 ' }, '1042'],
    [{ executionId: 'e-7' }, 'e-7'],
    [{ executionId: 7 }, '7'],
    [{ id: 'abc' }, 'abc'],
    [{ id: 0 }, '0'],
    [{ jobId: 'j', executionId: 'e', id: 'i' }, 'j'],
    [{ executionId: 'e', id: 'i' }, 'e'],
    [{ jobId: '', executionId: null, id: 9 }, '9'],
    [{ jobId: '  ', id: 'i' }, 'i']
  ])('%j → %j', (body, id) => {
    expect(parseExecuteResponse(body)).toBe(id)
  })

  it.each([
    [{ state: 'QUEUED' }],
    [{ jobId: null }],
    [{ jobId: '' }],
    [{ jobId: true }],
    [{ jobId: { value: 1 } }],
    [{ id: Number.NaN }]
  ])('%j has no job id → ContractError naming the fields', body => {
    const message = contractError(() => parseExecuteResponse(body))
    expect(message).toContain('no job id')
    expect(message).toContain('"jobId", "executionId" or "id"')
  })

  it.each([[null], ['1042'], [[{ jobId: '1' }]], [undefined]])(
    '%j is not an object → ContractError',
    body => {
      expect(contractError(() => parseExecuteResponse(body))).toContain('not a JSON object')
    }
  )
})

describe('classifyState', () => {
  it.each<[string, StateClass, boolean]>([
    [JobState.Queued, 'active', false],
    [JobState.Running, 'active', false],
    [JobState.Completed, 'succeeded', false],
    [JobState.Failed, 'failed', false],
    [JobState.Cancelled, 'failed', false],
    [JobState.Aborted, 'failed', false],
    ['completed', 'succeeded', false],
    ['Failed', 'failed', false],
    ['PAUSED', 'active', true],
    ['SUCCESS', 'active', true],
    ['', 'active', true]
  ])('%j → %s (unknown: %s)', (state, stateClass, unknown) => {
    expect(classifyState(state)).toEqual({ stateClass, unknown })
  })

  it('names the six states of the contract', () => {
    expect(Object.values(JobState).sort()).toEqual(
      ['ABORTED', 'CANCELLED', 'COMPLETED', 'FAILED', 'QUEUED', 'RUNNING'].sort()
    )
  })
})

describe('parseJob', () => {
  const FULL = {
    jobId: '1042',
    workflowExternalLabel: 'wf2',
    state: 'RUNNING',
    submittedAt: '2026-12-04T10:00:00.000Z',
    startedAt: '2026-12-04T10:00:01.250Z',
    finishedAt: null,
    message: null,
    steps: [
      { name: 'Load customers', state: 'COMPLETED', rowCount: 120000 },
      { name: 'Validate addresses', state: 'RUNNING', rowCount: 80000, failedRowCount: 312 }
    ]
  }

  it('reads the documented example', () => {
    expect(parseJob(FULL)).toEqual({
      jobId: '1042',
      workflow: 'wf2',
      state: 'RUNNING',
      stateClass: 'active',
      unknownState: false,
      submittedAt: new Date('2026-12-04T10:00:00.000Z'),
      startedAt: new Date('2026-12-04T10:00:01.250Z'),
      finishedAt: undefined,
      message: undefined,
      steps: [
        { name: 'Load customers', state: 'COMPLETED', counters: { rowCount: 120000 } },
        {
          name: 'Validate addresses',
          state: 'RUNNING',
          counters: { rowCount: 80000, failedRowCount: 312 }
        }
      ]
    })
  })

  it.each<[Record<string, unknown>, string, StateClass]>([
    [{ status: 'COMPLETED' }, 'COMPLETED', 'succeeded'],
    [{ state: 'completed' }, 'COMPLETED', 'succeeded'],
    [{ status: 'failed' }, 'FAILED', 'failed'],
    [{ state: ' Running ' }, 'RUNNING', 'active'],
    [{ state: 'queued' }, 'QUEUED', 'active'],
    [{ state: 'aborted' }, 'ABORTED', 'failed'],
    [{ state: 'CANCELLED', status: 'RUNNING' }, 'CANCELLED', 'failed'],
    [{ state: '', status: 'completed' }, 'COMPLETED', 'succeeded']
  ])('reads the state tolerantly: %j → %s', (fields, state, stateClass) => {
    const job = parseJob({ jobId: '1', ...fields })
    expect(job.state).toBe(state)
    expect(job.stateClass).toBe(stateClass)
    expect(job.unknownState).toBe(false)
  })

  it.each(['PAUSED', 'waiting', 'Stuck'])(
    'flags the unknown state %j and treats it as active',
    s => {
      const job = parseJob({ jobId: '1', state: s })
      expect(job).toMatchObject({
        state: s.toUpperCase(),
        stateClass: 'active',
        unknownState: true
      })
    }
  )

  it.each([[{}], [{ state: '' }], [{ state: 7 }], [{ status: null }]])(
    '%j has no state → ContractError naming the fields',
    fields => {
      const message = contractError(() => parseJob({ jobId: '1', ...fields }))
      expect(message).toContain('no state')
      expect(message).toContain('"state" or "status"')
    }
  )

  it.each([[null], [[]], ['RUNNING']])('%j is not an object → ContractError', body => {
    expect(contractError(() => parseJob(body))).toContain('not a JSON object')
  })

  it.each<[Record<string, unknown>, string | undefined, string]>([
    [{ jobId: 1042 }, undefined, '1042'],
    [{ executionId: 'e-1' }, undefined, 'e-1'],
    [{ id: 5 }, undefined, '5'],
    [{}, '77', '77'],
    [{ jobId: '9' }, '77', '9'],
    [{}, undefined, '']
  ])('job id from %j (expected %j) → %j', (fields, expectedId, id) => {
    expect(parseJob({ state: 'RUNNING', ...fields }, expectedId).jobId).toBe(id)
  })

  it.each([
    ['missing', undefined],
    ['null', null],
    ['not an array', 'Load, Validate'],
    ['an object', { name: 'Load' }],
    ['empty', []]
  ])('steps %s → []', (_name, steps) => {
    expect(parseJob({ jobId: '1', state: 'RUNNING', steps }).steps).toEqual([])
  })

  it('reads steps tolerantly: only numeric counters, names and states defaulted', () => {
    const job = parseJob({
      jobId: '1',
      state: 'RUNNING',
      steps: [
        {
          name: 'Load',
          state: 'completed',
          rowCount: 10,
          failedRowCount: 0,
          percent: 99.5,
          text: 'ten',
          quoted: '12',
          flag: true,
          none: null,
          nested: { rows: 1 }
        },
        null,
        'a string',
        { status: 'running', rowCount: 3 },
        { name: '', state: '' }
      ]
    })
    expect(job.steps).toEqual([
      {
        name: 'Load',
        state: 'COMPLETED',
        counters: { rowCount: 10, failedRowCount: 0, percent: 99.5 }
      },
      { name: 'step 4', state: 'RUNNING', counters: { rowCount: 3 } },
      { name: 'step 5', state: 'UNKNOWN', counters: {} }
    ])
  })

  it('ignores timestamps that are not dates', () => {
    const job = parseJob({
      jobId: '1',
      state: 'COMPLETED',
      submittedAt: 'yesterday',
      startedAt: { at: '2026-12-04' },
      finishedAt: true
    })
    expect(job.submittedAt).toBeUndefined()
    expect(job.startedAt).toBeUndefined()
    expect(job.finishedAt).toBeUndefined()
  })

  it('reads ISO 8601 timestamps with an offset and epoch milliseconds', () => {
    const job = parseJob({
      jobId: '1',
      state: 'COMPLETED',
      startedAt: '2026-12-04T11:00:00+01:00',
      finishedAt: Date.parse('2026-12-04T10:00:30Z')
    })
    expect(job.startedAt?.toISOString()).toBe('2026-12-04T10:00:00.000Z')
    expect(job.finishedAt?.toISOString()).toBe('2026-12-04T10:00:30.000Z')
  })

  it.each([
    [{ message: 'Source missing' }, 'Source missing'],
    [{ message: '' }, undefined],
    [{ message: '   ' }, undefined],
    [{ message: 42 }, undefined],
    [{}, undefined]
  ])('message from %j → %j', (fields, message) => {
    expect(parseJob({ jobId: '1', state: 'FAILED', ...fields }).message).toBe(message)
  })

  it.each([
    [{ workflowExternalLabel: 'wf1' }, 'wf1'],
    [{ workflowExternalLabel: '' }, undefined],
    [{}, undefined]
  ])('workflow from %j → %j', (fields, workflow) => {
    expect(parseJob({ jobId: '1', state: 'RUNNING', ...fields }).workflow).toBe(workflow)
  })
})

describe('parseJobList', () => {
  const jobs = [
    { jobId: '2', workflowExternalLabel: 'wf1', state: 'RUNNING' },
    { jobId: '1', workflowExternalLabel: 'wf1', status: 'completed' }
  ]

  it.each([
    ['the envelope', { jobs }],
    ['a bare array', jobs]
  ])('reads %s, keeping the order', (_name, body) => {
    const list = parseJobList(body)
    expect(list.map(j => [j.jobId, j.state])).toEqual([
      ['2', 'RUNNING'],
      ['1', 'COMPLETED']
    ])
  })

  it.each([
    ['an empty envelope', { jobs: [] }],
    ['an empty array', []]
  ])('reads %s as no jobs', (_name, body) => {
    expect(parseJobList(body)).toEqual([])
  })

  it.each([[{}], [{ jobs: 'none' }], [{ items: jobs }], [null], ['jobs']])(
    '%j has no jobs array → ContractError',
    body => {
      expect(contractError(() => parseJobList(body))).toContain('no "jobs" array')
    }
  )

  it('a job without a state in the list → ContractError', () => {
    expect(contractError(() => parseJobList({ jobs: [{ jobId: '1' }] }))).toContain('no state')
  })
})

describe('errorMessageOf', () => {
  it.each([
    [{ message: 'No workflow wf9' }, 'No workflow wf9'],
    [{ error: 'Forbidden' }, 'Forbidden'],
    [{ message: '', error: 'Forbidden' }, 'Forbidden'],
    [{}, undefined],
    ['plain text', undefined],
    [null, undefined]
  ])('%j → %j', (body, message) => {
    expect(errorMessageOf(body)).toBe(message)
  })
})

describe('executeRequestBody', () => {
  it('uses the documented field names; version applies to the workflow and its dependencies', () => {
    expect(
      executeRequestBody({
        workflow: 'wf1',
        space: 'Sales',
        version: 'PreferDraft',
        refreshSources: true,
        parameters: { region: 'EMEA', limit: 5 }
      })
    ).toEqual({
      externalLabel: 'wf1',
      spaceExternalLabel: 'Sales',
      versionToExecute: 'PreferDraft',
      dependenciesToUse: 'PreferDraft',
      refreshSources: true,
      workflowParameters: { region: 'EMEA', limit: 5 }
    })
  })

  it.each([
    ['absent', undefined],
    ['empty', {}]
  ])('omits parameters when %s and the space when absent', (_name, parameters) => {
    const body = executeRequestBody({
      workflow: 'wf1',
      version: 'PublishedOnly',
      refreshSources: false,
      parameters
    })
    expect(body).toEqual({
      externalLabel: 'wf1',
      versionToExecute: 'PublishedOnly',
      dependenciesToUse: 'PublishedOnly',
      refreshSources: false
    })
    expect(Object.keys(body)).not.toContain('workflowParameters')
    expect(Object.keys(body)).not.toContain('spaceExternalLabel')
    expect(JSON.parse(JSON.stringify(body))).toEqual(body)
  })
})

describe('matchRoute on malformed input', () => {
  it('names no route for a malformed escape', () => {
    expect(matchRoute('GET', '/api/1/jobs/%E0')).toBeUndefined()
  })
})
