import { describe, expect, it } from '@jest/globals'
import { InputError } from '../src/errors.js'
import { Inputs, readSettings, type Settings } from '../src/inputs.js'

const KEY = 'k3y-SECRET-9f2c'

const REQUIRED: Record<string, string> = {
  'server-url': 'https://datastudio.example.com:7701',
  'api-key': KEY,
  phases: 'wf1\nwf2, wf3'
}

/** readSettings over a plain map of input name → value; absent inputs read as ''. */
function settings(overrides: Record<string, string> = {}): Settings {
  const values: Record<string, string> = { ...REQUIRED, ...overrides }
  return readSettings(name => values[name] ?? '')
}

function errorOf(overrides: Record<string, string>): string {
  try {
    settings(overrides)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as Error).message
  }
  throw new Error(`expected ${JSON.stringify(overrides)} to be rejected`)
}

/** The one shape of an input error: names the input, quotes the value, says what is expected. */
function expectInputError(
  input: string,
  value: string,
  expected: RegExp,
  extra: Record<string, string> = {}
): string {
  const message = errorOf({ ...extra, [input]: value })
  // Line breaks are shown as \n so a quoted value stays on one line.
  expect(message).toContain(`Input '${input}' is '${value.replace(/\r?\n/g, '\\n')}'`)
  expect(message).toMatch(expected)
  return message
}

const first = (s: Settings) => s.plan[0]?.[0]

describe('readSettings: defaults', () => {
  it('applies every default when the optional inputs are empty', () => {
    const s = settings()
    expect(s).toEqual({
      serverUrl: 'https://datastudio.example.com:7701',
      apiKey: KEY,
      environment: 'default',
      tenancy: '1',
      plan: expect.any(Array),
      timeoutMs: undefined,
      pollIntervalMs: 10_000,
      maxParallel: 0,
      failFast: true,
      cancelOnFailure: false,
      requestTimeoutMs: 30_000,
      caCertificates: undefined,
      insecureSkipTlsVerify: false,
      dryRun: false,
      junitReport: undefined
    })
    expect(first(s)).toEqual({
      phase: 1,
      workflow: 'wf1',
      maxDurationMs: undefined,
      minDurationMs: undefined,
      execute: {
        version: 'PublishedOnly',
        refreshSources: false,
        parameters: undefined,
        space: undefined
      },
      checks: []
    })
  })

  it('treats white space alone as empty, so the default applies', () => {
    const s = settings({
      environment: '  ',
      tenancy: '\t',
      'poll-interval': ' ',
      'max-parallel': ' ',
      'fail-fast': ' ',
      version: ' ',
      'refresh-sources': ' ',
      'request-timeout': ' ',
      parameters: '  ',
      space: ' '
    })
    expect(s.environment).toBe('default')
    expect(s.tenancy).toBe('1')
    expect(s.pollIntervalMs).toBe(10_000)
    expect(s.maxParallel).toBe(0)
    expect(s.failFast).toBe(true)
    expect(s.requestTimeoutMs).toBe(30_000)
    expect(first(s)?.execute).toEqual({
      version: 'PublishedOnly',
      refreshSources: false,
      parameters: undefined,
      space: undefined
    })
  })

  it('trims the values it keeps', () => {
    const s = settings({
      'server-url': '  https://ds.example.com/  ',
      'api-key': `  ${KEY}\n`,
      environment: ' prod ',
      tenancy: ' acme '
    })
    expect(s.serverUrl).toBe('https://ds.example.com')
    expect(s.apiKey).toBe(KEY)
    expect(s.environment).toBe('prod')
    expect(s.tenancy).toBe('acme')
  })
})

describe('readSettings: server-url', () => {
  it.each([
    ['https://ds.example.com:7701/', 'https://ds.example.com:7701'],
    ['https://ds.example.com:7701//', 'https://ds.example.com:7701'],
    ['http://localhost:7701', 'http://localhost:7701'],
    ['HTTPS://DS.Example.COM', 'https://ds.example.com'],
    ['https://ds.example.com:443/', 'https://ds.example.com']
  ])('reads %j as %j (trailing slash stripped)', (value, url) => {
    expect(settings({ 'server-url': value }).serverUrl).toBe(url)
  })

  it.each([
    ['no scheme', 'ds.example.com', /with its scheme/],
    ['host and port, no scheme', 'ds.example.com:7701', /http or https/],
    ['ftp scheme', 'ftp://ds.example.com', /http or https/],
    ['a path', 'https://ds.example.com/datastudio', /no path/],
    ['a query', 'https://ds.example.com/?tenant=1', /no path/]
  ])('rejects %s', (_name, value, expected) => {
    const message = expectInputError(Inputs.ServerUrl, value, expected)
    expect(message).toContain('such as https://datastudio.example.com:7701')
    expect(message).not.toContain(`'${Inputs.Tenancy}'`)
  })

  it('rejects the API root as the address, with a hint about tenancy', () => {
    const message = expectInputError(
      Inputs.ServerUrl,
      'https://ds.example.com:7701/api/1/',
      /no path/
    )
    expect(message).toContain(`set the tenancy with '${Inputs.Tenancy}'`)
  })

  it('rejects credentials in the address without echoing them', () => {
    const message = errorOf({ 'server-url': 'https://admin:hunter2@ds.example.com:7701' })
    expect(message).toMatch(/^Input 'server-url' is 'https:\/\/…@ds\.example\.com:7701'/)
    expect(message).toContain('put no credentials in the address')
    expect(message).toContain(`'${Inputs.ApiKey}'`)
    expect(message).not.toContain('hunter2')
    expect(message).not.toContain('admin')
  })

  it('does not echo credentials when the scheme is wrong too', () => {
    const message = errorOf({ 'server-url': 'ftp://admin:hunter2@ds.example.com' })
    expect(message).toMatch(/^Input 'server-url'/)
    expect(message).not.toContain('hunter2')
  })

  it('is required', () => {
    expect(errorOf({ 'server-url': ' ' })).toBe("Input 'server-url' is required and was not given.")
  })
})

describe('readSettings: api-key', () => {
  it.each([
    ['empty', ''],
    ['white space only', '   ']
  ])('rejects a key that is %s', (_name, value) => {
    const message = errorOf({ 'api-key': value })
    expect(message).toMatch(/^Input 'api-key' is required and was not given/)
  })

  it.each([
    ['a space (label pasted with the key)', `default ${KEY}`],
    ['a line break', `${KEY}\nsecond-line`],
    ['a tab', `${KEY}\tmore`]
  ])('rejects a key with %s, without printing the key', (_name, value) => {
    const message = errorOf({ 'api-key': value })
    expect(message).toMatch(/^Input 'api-key' contains white space or a line break/)
    expect(message).toContain('paste the API key alone')
    expect(message).toContain(`'${Inputs.Environment}'`)
    expect(message).not.toContain(KEY)
    expect(message).not.toContain('second-line')
    expect(message).not.toContain('k3y')
  })
})

describe('readSettings: labels', () => {
  it.each([
    [Inputs.Environment, 'my env'],
    [Inputs.Environment, 'prod/eu'],
    [Inputs.Tenancy, '1/2'],
    [Inputs.Tenancy, 'a?b'],
    [Inputs.Tenancy, 'a#b'],
    [Inputs.Tenancy, 'a\\b'],
    [Inputs.Space, 'Sales team']
  ])('%s %j → error', (input, value) => {
    expectInputError(input, value, /expected a label without spaces, slashes, \? or #\./)
  })

  it('reads environment, tenancy and space', () => {
    const s = settings({ environment: 'prod', tenancy: 'acme', space: 'Sales' })
    expect(s.environment).toBe('prod')
    expect(s.tenancy).toBe('acme')
    expect(first(s)?.execute.space).toBe('Sales')
  })
})

describe('readSettings: durations', () => {
  const getters: [string, (s: Settings) => number | undefined][] = [
    [Inputs.MaxDuration, s => first(s)?.maxDurationMs],
    [Inputs.MinDuration, s => first(s)?.minDurationMs],
    [Inputs.Timeout, s => s.timeoutMs],
    [Inputs.PollInterval, s => s.pollIntervalMs],
    [Inputs.RequestTimeout, s => s.requestTimeoutMs]
  ]
  const good: [string, number][] = [
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['2h', 7_200_000],
    ['45', 45_000]
  ]
  const bad = ['soon', '10 minutes', '0', '0s', '-5', '5d', '1m1h']

  it.each(getters.flatMap(([input, get]) => good.map(([v, ms]) => [input, v, ms, get] as const)))(
    '%s %j → %i ms',
    (input, value, ms, get) => {
      expect(get(settings({ [input]: value }))).toBe(ms)
    }
  )

  it.each(getters.flatMap(([input]) => bad.map(value => [input, value] as const)))(
    '%s %j → error',
    (input, value) => {
      expectInputError(input, value, /expected a number of seconds or a duration such as 90s/)
    }
  )

  it.each([
    ['10m', '5m'],
    ['5m', '300'],
    ['2h', '1h30m']
  ])('min-duration %j not shorter than max-duration %j → error', (min, max) => {
    const message = errorOf({ 'min-duration': min, 'max-duration': max })
    expect(message).toContain(`Input 'min-duration' (${min}) must be shorter than`)
    expect(message).toContain(`'max-duration' (${max})`)
  })

  it('accepts min-duration shorter than max-duration', () => {
    const s = settings({ 'min-duration': '30s', 'max-duration': '10m' })
    expect(first(s)).toMatchObject({ minDurationMs: 30_000, maxDurationMs: 600_000 })
  })
})

describe('readSettings: counts, booleans and version', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['12', 12]
  ])('max-parallel %j → %i', (value, n) => {
    expect(settings({ 'max-parallel': value }).maxParallel).toBe(n)
  })

  it.each(['-1', 'two', '1.5', '1e3'])('max-parallel %j → error', value => {
    expectInputError(Inputs.MaxParallel, value, /expected a whole number, 0 or more/)
  })

  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false]
  ])('fail-fast and refresh-sources %j → %s', (value, flag) => {
    const s = settings({ 'fail-fast': value, 'refresh-sources': value })
    expect(s.failFast).toBe(flag)
    expect(first(s)?.execute.refreshSources).toBe(flag)
  })

  it.each([
    [Inputs.FailFast, 'yes'],
    [Inputs.FailFast, '1'],
    [Inputs.RefreshSources, 'no'],
    [Inputs.RefreshSources, 'tRuE']
  ])('%s %j → error', (input, value) => {
    expectInputError(input, value, /expected true or false\./)
  })

  it.each([
    ['published', 'PublishedOnly'],
    ['Published', 'PublishedOnly'],
    ['PublishedOnly', 'PublishedOnly'],
    ['draft', 'PreferDraft'],
    ['DRAFT', 'PreferDraft'],
    ['PreferDraft', 'PreferDraft']
  ])('version %j → %s', (value, version) => {
    expect(first(settings({ version: value }))?.execute.version).toBe(version)
  })

  it.each(['latest', 'drafts', '2'])('version %j → error', value => {
    expectInputError(Inputs.Version, value, /expected published .* or draft /)
  })
})

describe('readSettings: parameters', () => {
  const MAP = { region: 'EMEA', limit: 5, dryRun: true, ratio: 0.5 }

  it.each([
    ['JSON', '{"region": "EMEA", "limit": 5, "dryRun": true, "ratio": 0.5}'],
    ['YAML', 'region: EMEA\nlimit: 5\ndryRun: true\nratio: 0.5\n'],
    [
      'YAML with CRLF and a comment',
      '# run settings\r\nregion: EMEA\r\nlimit: 5\r\ndryRun: true\r\nratio: 0.5'
    ],
    ['YAML flow style', '{region: EMEA, limit: 5, dryRun: true, ratio: 0.5}']
  ])('%s gives the same map', (_name, value) => {
    expect(first(settings({ parameters: value }))?.execute.parameters).toEqual(MAP)
  })

  it('keeps quoted values as strings', () => {
    expect(
      first(settings({ parameters: 'code: "007"\nflag: "true"' }))?.execute.parameters
    ).toEqual({ code: '007', flag: 'true' })
  })

  it.each([
    ['a JSON array', '[1, 2]'],
    ['a YAML list', '- a\n- b'],
    ['plain text', 'just some text'],
    ['a number', '42'],
    ['null', 'null']
  ])('%s is not a map → error', (_name, value) => {
    expectInputError(Inputs.Parameters, value, /expected a JSON or YAML map of parameter names/)
  })

  it.each([
    ['unclosed JSON', '{"region": "EMEA"'],
    ['unclosed YAML flow', 'region: [EMEA'],
    ['bad indentation', 'region: EMEA\n  limit: 5'],
    ['duplicate keys', 'a: 1\na: 2']
  ])('invalid YAML/JSON (%s) → error', (_name, value) => {
    const message = errorOf({ parameters: value })
    expect(message).toContain(`Input 'parameters' is '${value.replace(/\n/g, '\\n')}'`)
    expect(message).toMatch(/expected a JSON or YAML map of parameter names to values \(.+\)\./)
  })

  it.each([
    ['a nested map (JSON)', '{"region": {"name": "EMEA"}}', 'region', '{"name":"EMEA"}'],
    ['a nested map (YAML)', 'limit: 5\nregion:\n  name: EMEA', 'region', '{"name":"EMEA"}'],
    ['a list', 'regions: [EMEA, APAC]', 'regions', '["EMEA","APAC"]'],
    ['null', 'region:', 'region', 'null']
  ])('a value that is %s → error naming the parameter', (_name, value, key, shown) => {
    const message = errorOf({ parameters: value })
    expect(message).toContain(`Input 'parameters': parameter '${key}' is '${shown}'`)
    expect(message).toContain('each value must be a string, a number or true/false')
  })
})

describe('readSettings: the plan', () => {
  it('gives every workflow its phase number and the shared limits and execute options', () => {
    const s = settings({
      phases: `@('wf1'), @('wf2','wf3'), @('wf4')`,
      'max-duration': '10m',
      'min-duration': '30s',
      version: 'draft',
      'refresh-sources': 'true',
      parameters: 'region: EMEA',
      space: 'Sales'
    })
    const execute = {
      version: 'PreferDraft',
      refreshSources: true,
      parameters: { region: 'EMEA' },
      space: 'Sales'
    }
    const limits = { maxDurationMs: 600_000, minDurationMs: 30_000 }
    expect(s.plan).toEqual([
      [{ phase: 1, workflow: 'wf1', ...limits, execute, checks: [] }],
      [
        { phase: 2, workflow: 'wf2', ...limits, execute, checks: [] },
        { phase: 2, workflow: 'wf3', ...limits, execute, checks: [] }
      ],
      [{ phase: 3, workflow: 'wf4', ...limits, execute, checks: [] }]
    ])
  })

  it('reports a bad phase list under the input phases', () => {
    expect(errorOf({ phases: 'wf1, wf1' })).toMatch(/^Input 'phases': phase 1 lists 'wf1' twice/)
  })

  it('requires phases or plan', () => {
    expect(errorOf({ phases: '\n ' })).toBe(
      "Input 'phases' (or 'plan') is required and was not given: name the workflows to run in " +
        "'phases', or give a plan file in 'plan'."
    )
  })

  it('refuses phases and plan together', () => {
    expect(errorOf({ phases: 'wf1', plan: '- [wf1]' })).toMatch(
      /^Inputs 'phases' and 'plan' are both given: use one/
    )
  })

  it('reads a plan file inline, falling back to the inputs for what it does not say', () => {
    const s = settings({
      phases: '',
      plan: '- [wf1, { workflow: wf2, max-duration: 5m }]',
      'max-duration': '1h'
    })
    expect(s.plan.map(p => p.map(w => [w.workflow, w.maxDurationMs]))).toEqual([
      [
        ['wf1', 3_600_000],
        ['wf2', 300_000]
      ]
    ])
  })

  it('reads a plan file from a path', () => {
    const files: Record<string, string> = { 'plans/nightly.yml': 'phases:\n  - [a]\n  - [b, c]\n' }
    const s = readSettings(
      name => ({ ...REQUIRED, phases: '', plan: 'plans/nightly.yml' })[name] ?? '',
      path => files[path]
    )
    expect(s.plan.map(p => p.map(w => w.workflow))).toEqual([['a'], ['b', 'c']])
  })
})

describe('readSettings: errors come in input-table order', () => {
  // One bad value per input, in the order of the inputs table.
  const BAD: [string, string][] = [
    [Inputs.ServerUrl, 'ftp://ds.example.com'],
    [Inputs.ApiKey, 'two words'],
    [Inputs.Environment, 'my env'],
    [Inputs.Tenancy, '1/2'],
    [Inputs.RequestTimeout, 'slow'],
    [Inputs.CaCertificate, '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----'],
    [Inputs.InsecureSkipTlsVerify, 'maybe'],
    [Inputs.Phases, '[[]]'],
    [Inputs.MaxDuration, 'soon'],
    [Inputs.MinDuration, 'later'],
    [Inputs.Timeout, 'never'],
    [Inputs.PollInterval, 'often'],
    [Inputs.MaxParallel, 'two'],
    [Inputs.FailFast, 'yes'],
    [Inputs.CancelOnFailure, 'sure'],
    [Inputs.Version, 'latest'],
    [Inputs.RefreshSources, 'no'],
    [Inputs.Parameters, '[1]'],
    [Inputs.Space, 'a b'],
    [Inputs.DryRun, 'perhaps']
  ]

  it('lists every input of the table', () => {
    // plan is exclusive with phases (tested above); any junit-report path is acceptable.
    const rest = Object.values(Inputs).filter(
      name => name !== Inputs.Plan && name !== Inputs.JunitReport
    )
    expect(BAD.map(([name]) => name)).toEqual(rest)
  })

  it.each(BAD.map(([name], index) => [name, index] as const))(
    '%s is reported when it and every later input are bad',
    (name, index) => {
      const overrides = Object.fromEntries(BAD.slice(index))
      expect(errorOf(overrides)).toMatch(new RegExp(`^Input '${name}'`))
    }
  )

  it('reports server-url before phases when both are bad', () => {
    expect(errorOf({ 'server-url': 'ds.example.com/api/1', phases: '' })).toMatch(
      /^Input 'server-url'/
    )
  })
})
