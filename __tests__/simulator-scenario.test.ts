import { readFileSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import { parseSimulatorArgs, UsageError } from '../src/simulator/args.js'
import {
  parseScenario,
  parseScenarioText,
  ScenarioError,
  workflowFor
} from '../src/simulator/scenario.js'

const minimal = { apiKey: 'k', workflows: { wf1: null } }

function errorOf(raw: unknown): string {
  try {
    parseScenario(raw)
  } catch (error) {
    if (error instanceof ScenarioError) return error.message
    throw error
  }
  throw new Error('expected the scenario to be refused')
}

describe('parseScenario', () => {
  it('fills the documented defaults', () => {
    const scenario = parseScenario(minimal)
    expect(scenario).toMatchObject({
      environment: 'default',
      tenancy: '1',
      seed: 1,
      firstJobId: 1001,
      cancelAbsentStatus: undefined,
      echoAuthorization: false,
      wildcard: undefined,
      faults: {},
      downtime: []
    })
    expect(scenario.workflows.wf1).toEqual({
      queuedMs: 100,
      durationMs: 1000,
      hang: false,
      outcome: 'COMPLETED',
      message: null,
      failingStep: undefined,
      steps: [],
      unknownState: undefined,
      parameters: undefined
    })
  })

  it('reads steps with shares and any numeric counters', () => {
    const scenario = parseScenario({
      apiKey: 'k',
      workflows: {
        wf1: {
          steps: [
            { name: 'Load customers', rowCount: 10 },
            { name: 'Validate addresses', share: 3, rowCount: 10, failedRowCount: 2, warnings: 4 },
            'Export results'
          ]
        }
      }
    })
    expect(scenario.workflows.wf1?.steps).toEqual([
      { name: 'Load customers', share: 1, counters: { rowCount: 10 } },
      {
        name: 'Validate addresses',
        share: 3,
        counters: { rowCount: 10, failedRowCount: 2, warnings: 4 }
      },
      { name: 'Export results', share: 1, counters: {} }
    ])
  })

  it('applies defaults under each workflow’s own settings', () => {
    const scenario = parseScenario({
      apiKey: 'k',
      defaults: { queued: '2s', duration: '5s' },
      workflows: { wf1: { duration: '1s' }, wf2: null }
    })
    expect(scenario.workflows.wf1).toMatchObject({ queuedMs: 2000, durationMs: 1000 })
    expect(scenario.workflows.wf2).toMatchObject({ queuedMs: 2000, durationMs: 5000 })
  })

  it('reads a failing workflow, its failing step by name or number, and a default message', () => {
    const steps = ['Load', 'Validate', 'Export']
    const scenario = parseScenario({
      apiKey: 'k',
      workflows: {
        byName: { outcome: 'failed', steps, failingStep: 'Validate', message: 'bad rows' },
        byNumber: { outcome: 'FAILED', steps, failingStep: 1 },
        last: { outcome: 'ABORTED', steps }
      }
    })
    expect(scenario.workflows.byName).toMatchObject({
      outcome: 'FAILED',
      failingStep: 1,
      message: 'bad rows'
    })
    expect(scenario.workflows.byNumber).toMatchObject({ failingStep: 0 })
    expect(scenario.workflows.last).toMatchObject({
      outcome: 'ABORTED',
      failingStep: 2,
      message: "Workflow 'last' aborted"
    })
  })

  it('reads never-ending jobs and unknown states', () => {
    const scenario = parseScenario({
      apiKey: 'k',
      workflows: {
        never: { duration: 'never' },
        hangs: { hang: true, duration: '1s' },
        paused: { unknownState: 'paused' },
        pausedAWhile: { unknownState: { state: 'PAUSED', after: '1s', for: '2s' } }
      }
    })
    expect(scenario.workflows.never).toMatchObject({ durationMs: Infinity, hang: true })
    expect(scenario.workflows.hangs).toMatchObject({ durationMs: 1000, hang: true })
    expect(scenario.workflows.paused).toMatchObject({
      hang: true, // reported for ever, so the job never ends
      unknownState: { state: 'PAUSED', afterMs: 0, forMs: Infinity }
    })
    expect(scenario.workflows.pausedAWhile).toMatchObject({
      hang: false,
      unknownState: { state: 'PAUSED', afterMs: 1000, forMs: 2000 }
    })
  })

  it('keeps the wildcard apart and lets it answer for any other label', () => {
    const scenario = parseScenario({
      apiKey: 'k',
      workflows: { wf1: { duration: '1s' }, '*': { duration: '3s' } }
    })
    expect(Object.keys(scenario.workflows)).toEqual(['wf1'])
    expect(workflowFor(scenario, 'wf1')?.durationMs).toBe(1000)
    expect(workflowFor(scenario, 'bench-417')?.durationMs).toBe(3000)
    expect(workflowFor(parseScenario(minimal), 'bench-417')).toBeUndefined()
    // A label that happens to be an Object.prototype member is not a workflow.
    expect(workflowFor(parseScenario(minimal), 'toString')).toBeUndefined()
  })

  it('reads faults, downtime and the cancel knob', () => {
    const scenario = parseScenario({
      apiKey: 'k',
      tenancy: 7,
      seed: 42,
      cancelEndpoint: false,
      workflows: { wf1: null },
      faults: {
        all: { latency: { min: '10ms', max: '50ms' }, errorRate: 0.1 },
        execute: { acceptThenDrop: 2, errorCodes: [502] },
        job: { rateLimitRate: 0.5, retryAfter: '1500ms', dropRate: 0.2, latency: 5 }
      },
      downtime: { start: '10s', duration: '5s', mode: 'drop' }
    })
    expect(scenario.tenancy).toBe('7')
    expect(scenario.cancelAbsentStatus).toBe(405)
    expect(scenario.faults).toEqual({
      all: { latency: { minMs: 10, maxMs: 50 }, errorRate: 0.1 },
      execute: { acceptThenDrop: { first: 2, rate: 0 }, errorCodes: [502] },
      job: {
        rateLimitRate: 0.5,
        retryAfterSeconds: 2, // the header carries whole seconds, rounded up
        dropRate: 0.2,
        latency: { minMs: 5000, maxMs: 5000 }
      }
    })
    expect(scenario.downtime).toEqual([{ startMs: 10_000, durationMs: 5000, mode: 'drop' }])
    expect(parseScenario({ ...minimal, cancelEndpoint: 501 }).cancelAbsentStatus).toBe(501)
  })

  it.each([
    [{ ...minimal, apiKeys: 'x' }, 'scenario: unknown key "apiKeys" (known keys: description,'],
    [
      { apiKey: 'k', workflows: { wf1: { durration: '1s' } } },
      'workflows.wf1: unknown key "durration" (known keys: queued, duration,'
    ],
    [
      { apiKey: 'k', workflows: { wf1: { duration: 'soon' } } },
      'workflows.wf1.duration: expected a number of seconds or a duration such as 90s, 10m, 1h30m, 2h or 500ms, or never, got "soon"'
    ],
    [
      { apiKey: 'k', workflows: { wf1: { queued: -1 } } },
      'workflows.wf1.queued: expected a number of seconds or a duration'
    ],
    [
      { apiKey: 'k', workflows: { wf1: { outcome: 'DONE' } } },
      'workflows.wf1.outcome: expected one of COMPLETED, FAILED, ABORTED, got "DONE"'
    ],
    [
      { apiKey: 'k', workflows: { wf1: { unknownState: 'RUNNING' } } },
      'workflows.wf1.unknownState.state: expected a state the contract does not know'
    ],
    [
      { apiKey: 'k', workflows: { wf1: { outcome: 'FAILED', steps: ['A'], failingStep: 'B' } } },
      'workflows.wf1.failingStep: expected the name of one of the steps ("A"), got "B"'
    ],
    [
      { apiKey: 'k', workflows: { wf1: { steps: ['A'], failingStep: 1 } } },
      'workflows.wf1.failingStep: expected no failingStep when the outcome is COMPLETED, got 1'
    ],
    [
      { apiKey: 'k', workflows: { wf1: { message: 'why' } } },
      'workflows.wf1.message: expected no message when the outcome is COMPLETED'
    ],
    [
      { apiKey: 'k', workflows: { wf1: { steps: [{ name: 'A', rowCount: 'many' }] } } },
      'workflows.wf1.steps[0].rowCount: expected a counter'
    ],
    [{ apiKey: 'k', workflows: { '*': { duration: 'x' } } }, 'workflows["*"].duration: expected'],
    [{ workflows: { wf1: null } }, 'apiKey: missing'],
    [{ apiKey: 12345, workflows: { wf1: null } }, 'apiKey: expected a non-empty string, got 12345'],
    [{ apiKey: 'k' }, 'workflows: missing'],
    [{ apiKey: 'k', workflows: {} }, 'workflows: expected at least one workflow label'],
    [{ ...minimal, faults: { job: { errorRate: 1.5 } } }, 'faults.job.errorRate: expected a rate'],
    [{ ...minimal, faults: { jobz: {} } }, 'faults: unknown key "jobz"'],
    [
      { ...minimal, faults: { job: { acceptThenDrop: 1 } } },
      'faults.job.acceptThenDrop: expected acceptThenDrop only under faults.execute, got 1'
    ],
    [
      { ...minimal, faults: { all: { errorCodes: [200] } } },
      'faults.all.errorCodes[0]: expected an error status code from 400 to 599, got 200'
    ],
    [
      { ...minimal, downtime: [{ duration: '1s', mode: 'sometimes' }] },
      'downtime[0].mode: expected 503 or drop, got "sometimes"'
    ],
    [{ ...minimal, cancelEndpoint: 'no' }, 'cancelEndpoint: expected true (present), false'],
    [{ ...minimal, seed: 1.5 }, 'seed: expected a whole number, got 1.5']
  ])('refuses %j naming the key and the value', (raw, message) => {
    expect(errorOf(raw)).toContain(message)
  })
})

describe('parseScenarioText', () => {
  it('reads YAML and JSON', () => {
    const yaml = parseScenarioText('apiKey: "007"\nworkflows:\n  wf1:\n    duration: 2s\n')
    expect(yaml.apiKey).toBe('007')
    expect(yaml.workflows.wf1?.durationMs).toBe(2000)
    const json = parseScenarioText('{"apiKey": "k", "workflows": {"wf1": {"duration": 3}}}')
    expect(json.workflows.wf1?.durationMs).toBe(3000)
  })

  it('names the source in syntax and validation errors', () => {
    expect(() => parseScenarioText('apiKey: [unclosed', 'plan.yml')).toThrow(
      /^plan\.yml: not valid YAML or JSON: /
    )
    expect(() =>
      parseScenarioText('apiKey: k\nworkflows: {wf1: {hang: maybe}}', 'plan.yml')
    ).toThrow('plan.yml: workflows.wf1.hang: expected true or false, got "maybe"')
  })

  it('reads the example scenarios: the vendor’s seven workflows, wf3 failing in the fail one', () => {
    const ok = parseScenarioText(
      readFileSync('examples/scenarios/vendor-example.yml', 'utf8'),
      'vendor-example.yml'
    )
    const failing = parseScenarioText(
      readFileSync('examples/scenarios/vendor-example-fail.yml', 'utf8'),
      'vendor-example-fail.yml'
    )
    const labels = ['wf1', 'wf2', 'wf3', 'wf4', 'wf5', 'wf6', 'wf7']
    for (const scenario of [ok, failing]) {
      expect(Object.keys(scenario.workflows)).toEqual(labels)
      for (const spec of Object.values(scenario.workflows)) {
        expect(spec.durationMs).toBeGreaterThanOrEqual(1000)
        expect(spec.durationMs).toBeLessThanOrEqual(4000)
        expect(spec.steps.length).toBeGreaterThan(0)
      }
    }
    expect(Object.values(ok.workflows).every(spec => spec.outcome === 'COMPLETED')).toBe(true)
    expect(failing.workflows.wf3).toMatchObject({ outcome: 'FAILED', failingStep: 1 })
    expect(failing.workflows.wf3?.message).toMatch(/Match orders to customers/)
    const othersFail = labels.filter(
      l => l !== 'wf3' && failing.workflows[l]?.outcome !== 'COMPLETED'
    )
    expect(othersFail).toEqual([])
  })
})

describe('docs/simulator.md', () => {
  it('shows a complete scenario example that the simulator accepts', () => {
    const doc = readFileSync('docs/simulator.md', 'utf8')
    const section = doc.slice(doc.indexOf('## Writing a scenario'))
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1]
    expect(example).toBeDefined()
    const scenario = parseScenarioText(example as string, 'docs/simulator.md')
    expect(scenario.wildcard).toBeDefined()
    expect(scenario.workflows.wf2).toMatchObject({ outcome: 'FAILED', failingStep: 1 })
    expect(scenario.faults.execute?.acceptThenDrop).toEqual({ first: 1, rate: 0 })
    expect(scenario.downtime).toHaveLength(1)
  })
})

describe('parseSimulatorArgs', () => {
  it('defaults the port to 7701 and the host to loopback', () => {
    expect(parseSimulatorArgs(['--scenario', 's.yml'])).toEqual({
      help: false,
      scenarioFile: 's.yml',
      port: 7701,
      host: '127.0.0.1',
      requestLogFile: undefined
    })
  })

  it('reads every flag, with a space or an equals sign', () => {
    expect(
      parseSimulatorArgs([
        '--scenario=s.yml',
        '--port',
        '0',
        '--host=0.0.0.0',
        '--request-log',
        'r.jsonl'
      ])
    ).toEqual({
      help: false,
      scenarioFile: 's.yml',
      port: 0,
      host: '0.0.0.0',
      requestLogFile: 'r.jsonl'
    })
  })

  it('answers help even without a scenario', () => {
    expect(parseSimulatorArgs(['--help'])).toEqual({ help: true })
  })

  it.each([
    [[], '--scenario <file> is required'],
    [['--scenario'], '--scenario: expected a value'],
    [['--scenario', '--port', '1'], '--scenario: expected a value'],
    [
      ['--scenario', 's.yml', '--port', 'http'],
      '--port: expected a port number from 0 to 65535, got "http"'
    ],
    [['--scenario', 's.yml', '--port', '70000'], '--port: expected a port number'],
    [['--scenario', 's.yml', '--verbose'], 'unknown argument "--verbose"']
  ])('refuses %j', (argv, message) => {
    expect(() => parseSimulatorArgs(argv)).toThrow(UsageError)
    expect(() => parseSimulatorArgs(argv)).toThrow(message)
  })
})
