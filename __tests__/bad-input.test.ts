/**
 * Bad input, end to end through the committed bundle: every malformed input ends with one clear
 * message naming it, a non-zero exit and no request at all; every malformed answer from a server
 * ends with one clear message and a non-zero exit.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startSimulator, type RunningSimulator } from '../src/simulator/server.js'
import { runAction } from './fixtures/action-process.js'

const KEY = 'bad-input-Key-77aa'
let sim: RunningSimulator

beforeAll(async () => {
  sim = await startSimulator(`apiKey: ${KEY}\nworkflows:\n  wf1: { duration: 100ms }`)
})
afterAll(async () => {
  await sim.close()
})

const NOT_PEM = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----'

// [what is wrong, the inputs that differ from a good run, what the one error line must say]
const BAD_INPUTS: [string, Record<string, string>, RegExp][] = [
  ['server-url missing', { 'server-url': '' }, /^Input 'server-url' is required/],
  [
    'server-url without scheme',
    { 'server-url': 'datastudio.example.com:7701' },
    /^Input 'server-url' is 'datastudio\.example\.com:7701': expected .* with its scheme/
  ],
  [
    'server-url with the API path',
    { 'server-url': 'http://127.0.0.1:7701/api/1/' },
    /^Input 'server-url' is 'http:\/\/127\.0\.0\.1:7701\/api\/1\/'.*set the tenancy with 'tenancy'/
  ],
  [
    'server-url with another scheme',
    { 'server-url': 'ftp://127.0.0.1' },
    /^Input 'server-url' is 'ftp:\/\/127\.0\.0\.1'.*\(http or https\)/
  ],
  [
    'server-url with credentials',
    { 'server-url': 'https://me:pa55@ds.example.com' },
    /^Input 'server-url' is 'https:\/\/…@ds\.example\.com': put no credentials/
  ],
  ['api-key missing', { 'api-key': '' }, /^Input 'api-key' is required/],
  [
    'api-key with the label pasted in',
    { 'api-key': `default ${KEY}` },
    /^Input 'api-key' contains white space/
  ],
  [
    'environment with a space',
    { environment: 'my env' },
    /^Input 'environment' is 'my env': expected a label/
  ],
  ['tenancy with a slash', { tenancy: '1/2' }, /^Input 'tenancy' is '1\/2': expected a label/],
  [
    'request-timeout not a duration',
    { 'request-timeout': 'fast' },
    /^Input 'request-timeout' is 'fast': expected a number of seconds or a duration/
  ],
  [
    'ca-certificate naming no file',
    { 'ca-certificate': '/no/such/ca.pem' },
    /^Input 'ca-certificate' is '\/no\/such\/ca\.pem': no such file can be read/
  ],
  [
    'ca-certificate that does not parse',
    { 'ca-certificate': NOT_PEM },
    /^Input 'ca-certificate': certificate 1 in PEM text does not parse/
  ],
  [
    'insecure-skip-tls-verify not a boolean',
    { 'insecure-skip-tls-verify': 'maybe' },
    /^Input 'insecure-skip-tls-verify' is 'maybe': expected true or false/
  ],
  ['phases missing', { phases: '' }, /^Input 'phases' \(or 'plan'\) is required/],
  ['phases: only comments', { phases: '# nothing yet\n\n' }, /^Input 'phases' has no workflows/],
  [
    'phases (lines): empty label',
    { phases: 'wf1,,wf2' },
    /^Input 'phases': phase 1 has an empty workflow label/
  ],
  [
    'phases (lines): a label twice in a phase',
    { phases: 'wf1\nwf2, wf2' },
    /^Input 'phases': phase 2 lists 'wf2' twice/
  ],
  ['phases (JSON): empty list', { phases: '[]' }, /^Input 'phases' has no workflows/],
  ['phases (JSON): empty phase', { phases: '[["wf1"], []]' }, /^Input 'phases': phase 2 is empty/],
  [
    'phases (JSON): does not parse',
    { phases: '[["wf1"]' },
    /^Input 'phases' looks like JSON but does not parse/
  ],
  [
    'phases (JSON): not arrays of labels',
    { phases: '["wf1", "wf2"]' },
    /^Input 'phases': phase 1 is '"wf1"'; each phase must be an array/
  ],
  [
    'phases (PowerShell): unquoted label',
    { phases: '@(wf1)' },
    /^Input 'phases': phase 1 has 'wf1', which is not a quoted label/
  ],
  [
    'phases (PowerShell): junk between groups',
    { phases: "@('wf1') + @('wf2')" },
    /^Input 'phases' has '\+' between PowerShell groups/
  ],
  [
    'phases (PowerShell): empty group',
    { phases: "@('wf1'), @()" },
    /^Input 'phases': phase 2 is empty/
  ],
  [
    'max-duration not a duration',
    { 'max-duration': 'forever' },
    /^Input 'max-duration' is 'forever'/
  ],
  ['min-duration negative', { 'min-duration': '-5' }, /^Input 'min-duration' is '-5'/],
  [
    'min-duration not below max-duration',
    { 'max-duration': '5m', 'min-duration': '10m' },
    /^Input 'min-duration' \(10m\) must be shorter than 'max-duration' \(5m\)/
  ],
  ['timeout in days', { timeout: '1d' }, /^Input 'timeout' is '1d'/],
  ['poll-interval zero', { 'poll-interval': '0' }, /^Input 'poll-interval' is '0'/],
  [
    'max-parallel negative',
    { 'max-parallel': '-1' },
    /^Input 'max-parallel' is '-1': expected a whole number/
  ],
  ['fail-fast yes', { 'fail-fast': 'yes' }, /^Input 'fail-fast' is 'yes': expected true or false/],
  [
    'cancel-on-failure sure',
    { 'cancel-on-failure': 'sure' },
    /^Input 'cancel-on-failure' is 'sure'/
  ],
  [
    'version latest',
    { version: 'latest' },
    /^Input 'version' is 'latest': expected published .* or draft/
  ],
  [
    'refresh-sources 1',
    { 'refresh-sources': '1' },
    /^Input 'refresh-sources' is '1': expected true or false/
  ],
  [
    'parameters a list',
    { parameters: '[1, 2]' },
    /^Input 'parameters' is '\[1, 2\]': expected a JSON or YAML map/
  ],
  [
    'parameters with a nested value',
    { parameters: 'region: { name: EMEA }' },
    /^Input 'parameters': parameter 'region' is .* each value must be a string, a number or true\/false/
  ],
  ['space with a space', { space: 'Sales Team' }, /^Input 'space' is 'Sales Team'/]
]

describe('a malformed input', () => {
  it('is tested in at least 25 forms', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(25)
  })

  it.each(BAD_INPUTS)('%s: one clear error, exit 1, no request', async (_what, bad, expected) => {
    const before = sim.log().length
    const run = await runAction({ 'server-url': sim.url, 'api-key': KEY, phases: 'wf1', ...bad })

    expect(run.code).toBe(1)
    const errors = run.stdout.split('\n').filter(line => line.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(errors[0]?.replace(/^::error::/, '')).toMatch(expected)
    expect(sim.log().length).toBe(before)
    expect(run.everything).not.toContain(KEY)
    expect(run.everything).not.toContain('pa55')
  })
})

/** A server that answers each route with a canned reply, to play a broken Data Studio. */
async function cannedServer(
  answer: (req: IncomingMessage) => { status: number; body: string; type?: string }
): Promise<{ url: string; server: Server }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const { status, body, type } = answer(req)
    res.writeHead(status, { 'Content-Type': type ?? 'application/json' }).end(body)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

const isExecute = (req: IncomingMessage): boolean =>
  req.url?.endsWith('/workflows/execute') === true
const RUNNING = JSON.stringify({ jobId: '1', state: 'RUNNING' })

const BAD_ANSWERS: [
  string,
  (req: IncomingMessage) => { status: number; body: string; type?: string },
  RegExp
][] = [
  [
    'an HTML login page',
    () => ({ status: 200, body: '<html><title>Sign in</title></html>', type: 'text/html' }),
    /answered 200 with something that is not JSON \(<html><title>Sign in<\/title><\/html>\).*not a proxy or login page/
  ],
  ['an empty body', () => ({ status: 201, body: '' }), /answered 201 with an empty body/],
  [
    'an execute answer without a job id',
    () => ({ status: 201, body: '{"state":"QUEUED"}' }),
    /the execute answer has no job id \(expected "jobId", "executionId" or "id"\)/
  ],
  [
    'a job without a state',
    req =>
      isExecute(req)
        ? { status: 201, body: '{"jobId":"1"}' }
        : { status: 200, body: '{"jobId":"1"}' },
    /lost track of job 1: GET jobs\/1: the job status answer has no state/
  ],
  [
    'a job status that is not JSON',
    req => (isExecute(req) ? { status: 201, body: '{"jobId":"1"}' } : { status: 200, body: 'OK' }),
    /lost track of job 1: GET jobs\/1: Data Studio answered 200 with something that is not JSON \(OK\)/
  ],
  [
    'a state the contract does not know',
    req =>
      isExecute(req)
        ? { status: 201, body: '{"jobId":"1"}' }
        : { status: 200, body: '{"jobId":"1","state":"PAUSED"}' },
    /still PAUSED after max-duration 1\.5s/
  ],
  [
    'an unknown job (404 on status)',
    req => (isExecute(req) ? { status: 201, body: '{"jobId":"1"}' } : { status: 404, body: '' }),
    /Data Studio does not know job 1 \(404\)/
  ],
  [
    'a running job that cannot be cancelled',
    req =>
      isExecute(req)
        ? { status: 201, body: '{"jobId":"1"}' }
        : req.url?.endsWith('/cancel')
          ? { status: 405, body: '' }
          : { status: 200, body: RUNNING },
    /this Data Studio has no cancel endpoint: stop job 1 there by hand/
  ]
]

describe('a malformed answer from the server', () => {
  it.each(BAD_ANSWERS)('%s: one clear error, exit 1', async (_what, answer, expected) => {
    const { url, server } = await cannedServer(answer)
    try {
      const run = await runAction({
        'server-url': url,
        'api-key': KEY,
        phases: 'wf1',
        'max-duration': '1500ms'
      })
      expect(run.code).toBe(1)
      const annotation = run.stdout.split('\n').find(line => line.startsWith('::error title='))
      expect(annotation).toMatch(expected)
      expect(run.stdout).toMatch(/::error::1 workflow did not succeed: wf1/)
    } finally {
      server.close()
    }
  })

  it('warns once about a state it does not know', async () => {
    const { url, server } = await cannedServer(req =>
      isExecute(req)
        ? { status: 201, body: '{"jobId":"1"}' }
        : { status: 200, body: '{"jobId":"1","state":"PAUSED"}' }
    )
    try {
      const run = await runAction({
        'server-url': url,
        'api-key': KEY,
        phases: 'wf1',
        'max-duration': '1500ms'
      })
      const warnings = run.stdout.split('\n').filter(line => line.startsWith('::warning::'))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain("reports state 'PAUSED', which the action does not know")
    } finally {
      server.close()
    }
  })
})
