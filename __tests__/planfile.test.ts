import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { Ajv } from 'ajv'
import type { Step } from '../src/contract.js'
import { parseDurationMs } from '../src/duration.js'
import { InputError } from '../src/errors.js'
import type { PlannedWorkflow } from '../src/plan.js'
import { judgeStepChecks } from '../src/stepchecks.js'
import {
  isInlinePlan,
  loadPlan,
  readFileIfExists,
  readPlanFile,
  suggest,
  type PlanDefaults,
  type ReadFile
} from '../src/planfile.js'

const base: PlanDefaults = {
  maxDurationMs: undefined,
  minDurationMs: undefined,
  execute: {
    version: 'PublishedOnly',
    refreshSources: false,
    parameters: undefined,
    space: undefined
  }
}

/** The action inputs a real run might have: every setting given, so overriding is visible. */
const inputs: PlanDefaults = {
  maxDurationMs: 3_600_000,
  minDurationMs: 1_000,
  execute: {
    version: 'PublishedOnly',
    refreshSources: false,
    parameters: { region: 'EMEA', from: 'input' },
    space: 'InputSpace'
  }
}

function read(text: string, defaults: PlanDefaults = base) {
  return readPlanFile(text, defaults, 'plan.yml')
}

/** The message of the InputError that reading the text throws. */
function errorOf(text: string, defaults: PlanDefaults = base): string {
  try {
    read(text, defaults)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as Error).message
  }
  throw new Error(`expected an error for:\n${text}`)
}

function only(text: string, defaults: PlanDefaults = base): PlannedWorkflow {
  const plan = read(text, defaults)
  expect(plan).toHaveLength(1)
  expect(plan[0]).toHaveLength(1)
  return plan[0]?.[0] as PlannedWorkflow
}

const labels = (plan: PlannedWorkflow[][]): string[][] => plan.map(p => p.map(w => w.workflow))

describe('readPlanFile: valid plans', () => {
  it('reads a YAML list of phases of labels, numbering phases from 1', () => {
    const plan = read('- [wf1]\n- [wf2, wf3]\n- - wf4\n  - wf5\n')
    expect(labels(plan)).toEqual([['wf1'], ['wf2', 'wf3'], ['wf4', 'wf5']])
    expect(plan.map(p => p.map(w => w.phase))).toEqual([[1], [2, 2], [3, 3]])
  })

  it('reads the same plan from JSON, list form and object form', () => {
    const yaml = read('phases:\n  - [wf1]\n  - [wf2, wf3]\n')
    expect(read('[["wf1"], ["wf2", "wf3"]]')).toEqual(yaml)
    expect(read('{"phases": [["wf1"], {"workflows": ["wf2", {"workflow": "wf3"}]}]}')).toEqual(yaml)
  })

  it('gives a bare label the action inputs, and no checks', () => {
    expect(only('- [wf1]', inputs)).toEqual({
      phase: 1,
      workflow: 'wf1',
      maxDurationMs: 3_600_000,
      minDurationMs: 1_000,
      execute: inputs.execute,
      checks: []
    })
  })

  it('reads every workflow setting', () => {
    const wf = only(`
phases:
  - - workflow: wf1
      max-duration: 1h30m
      min-duration: 90
      parameters: { region: APAC, batch: 500, dryRun: false }
      version: draft
      refresh-sources: true
      space: Finance
      steps:
        - { step: Load customers, min: { rowCount: 1000 } }
`)
    expect(wf).toEqual({
      phase: 1,
      workflow: 'wf1',
      maxDurationMs: 5_400_000,
      minDurationMs: 90_000,
      execute: {
        version: 'PreferDraft',
        refreshSources: true,
        parameters: { region: 'APAC', batch: 500, dryRun: false },
        space: 'Finance'
      },
      checks: [{ step: 'Load customers', min: { rowCount: 1000 } }]
    })
  })

  it('reads durations as numbers of seconds (fractions too) and as duration strings', () => {
    expect(only('- [{workflow: a, max-duration: 2.5}]').maxDurationMs).toBe(2_500)
    expect(only('- [{workflow: a, max-duration: "45"}]').maxDurationMs).toBe(45_000)
    expect(only('- [{workflow: a, max-duration: 500ms}]').maxDurationMs).toBe(500)
    expect(only('- [{workflow: a, max-duration: 2H}]').maxDurationMs).toBe(7_200_000)
  })

  it('trims labels and step names, and the counter names of ratios', () => {
    const wf = only(
      `- [{workflow: " wf1 ", steps: [{step: " Validate ", max-ratio: {" failed / rows ": 0.1}}]}]`
    )
    expect(wf.workflow).toBe('wf1')
    expect(wf.checks).toEqual([{ step: 'Validate', maxRatio: { 'failed/rows': 0.1 } }])
  })

  it('accepts a $schema key for editors and a name for a phase, and ignores both', () => {
    const plan = read(
      '{"$schema": "./plan.schema.json", "phases": [{"name": "Load", "workflows": ["wf1"]}]}'
    )
    expect(labels(plan)).toEqual([['wf1']])
  })

  it('lets the same label appear in two phases', () => {
    expect(labels(read('- [wf1]\n- [wf1]'))).toEqual([['wf1'], ['wf1']])
  })

  it('reads examples/plans/nightly.yml, which uses every feature', () => {
    const text = readFileSync(new URL('../examples/plans/nightly.yml', import.meta.url), 'utf8')
    const plan = readPlanFile(text, inputs, 'examples/plans/nightly.yml')
    expect(labels(plan)).toEqual([
      ['refresh-reference-data'],
      ['load-customers', 'validate-addresses', 'validate-emails'],
      ['match-and-merge'],
      ['publish-dashboard', 'notify-stewards']
    ])
    const [emails, merge] = [plan[1]?.[2], plan[2]?.[0]]
    expect(emails?.execute).toEqual({
      version: 'PreferDraft',
      refreshSources: true,
      parameters: { region: 'global', from: 'input', runDate: 'today', batchSize: 5000 },
      space: 'CustomerData'
    })
    expect(emails?.checks).toEqual([
      { step: 'Export results', min: { rowCount: 1 } },
      {
        step: 'Validate emails',
        max: { failedRowCount: 0 },
        minRatio: { 'validRowCount/rowCount': 0.99 }
      }
    ])
    expect(plan[1]?.[1]?.checks[2]).toEqual({
      step: 'Validate addresses',
      maxRatio: { 'failedRowCount/rowCount': 0.005 }
    })
    // Precedence of step checks: a workflow replaces the plan's bound, or removes it with null.
    expect(merge?.checks).toEqual([{ step: 'Export results', min: { rowCount: 100000 } }])
    expect(plan[3]?.[1]?.checks).toEqual([])
    expect(plan[3]?.[0]?.checks).toEqual([{ step: 'Export results', min: { rowCount: 1 } }])
    expect(merge?.maxDurationMs).toBeUndefined()
    expect(merge?.minDurationMs).toBe(600_000)
    expect(merge?.execute.space).toBe('MasterData')
    expect(plan[0]?.[0]?.maxDurationMs).toBe(1_800_000)
  })
})

describe('readPlanFile: precedence workflow > phase > plan > action inputs', () => {
  /** A plan that sets `key` at the levels named, each to a different value. */
  function layered(key: string, values: { plan?: string; phase?: string; workflow?: string }) {
    const line = (value: string | undefined, indent: string): string =>
      value === undefined ? '' : `${indent}${key}: ${value}\n`
    return only(
      `${line(values.plan, '')}phases:\n  - workflows:\n      - workflow: wf1\n` +
        `${line(values.workflow, '        ')}${line(values.phase, '    ')}`,
      inputs
    )
  }

  const cases: {
    key: string
    values: [string, string, string]
    read: (w: PlannedWorkflow) => unknown
    expected: [unknown, unknown, unknown, unknown]
  }[] = [
    {
      key: 'max-duration',
      values: ['3h', '2h', '90m'],
      read: w => w.maxDurationMs,
      expected: [3_600_000, 10_800_000, 7_200_000, 5_400_000]
    },
    {
      key: 'min-duration',
      values: ['3s', '4s', '5s'],
      read: w => w.minDurationMs,
      expected: [1_000, 3_000, 4_000, 5_000]
    },
    {
      key: 'version',
      values: ['draft', 'published', 'draft'],
      read: w => w.execute.version,
      expected: ['PublishedOnly', 'PreferDraft', 'PublishedOnly', 'PreferDraft']
    },
    {
      key: 'refresh-sources',
      values: ['true', 'false', 'true'],
      read: w => w.execute.refreshSources,
      expected: [false, true, false, true]
    },
    {
      key: 'space',
      values: ['PlanSpace', 'PhaseSpace', 'OwnSpace'],
      read: w => w.execute.space,
      expected: ['InputSpace', 'PlanSpace', 'PhaseSpace', 'OwnSpace']
    }
  ]

  for (const c of cases) {
    it(`${c.key}: the most specific level that sets it wins`, () => {
      const [plan, phase, workflow] = c.values
      expect(c.read(layered(c.key, {}))).toEqual(c.expected[0])
      expect(c.read(layered(c.key, { plan }))).toEqual(c.expected[1])
      expect(c.read(layered(c.key, { plan, phase }))).toEqual(c.expected[2])
      expect(c.read(layered(c.key, { plan, phase, workflow }))).toEqual(c.expected[3])
      // A level left out falls through to the next wider one.
      expect(c.read(layered(c.key, { plan, workflow }))).toEqual(c.expected[3])
      expect(c.read(layered(c.key, { phase }))).toEqual(c.expected[2])
    })
  }

  it('null removes a duration limit set at a wider level, down to the action inputs', () => {
    expect(layered('max-duration', { plan: '2h', workflow: 'null' }).maxDurationMs).toBeUndefined()
    expect(layered('min-duration', { phase: '~' }).minDurationMs).toBeUndefined()
    // …and a narrower level may set it again.
    expect(layered('max-duration', { plan: 'null', workflow: '5m' }).maxDurationMs).toBe(300_000)
  })

  it('merges parameters key by key, the more specific value winning', () => {
    const wf = only(
      `
parameters: { region: PLAN, plan: 1, shared: plan }
phases:
  - parameters: { region: PHASE, phase: true, shared: phase }
    workflows:
      - workflow: wf1
        parameters: { region: OWN, own: x }
      - wf2
`.replace('      - wf2\n', ''),
      inputs
    )
    expect(wf.execute.parameters).toEqual({
      from: 'input',
      region: 'OWN',
      plan: 1,
      shared: 'phase',
      phase: true,
      own: 'x'
    })
  })

  it('keeps parameters undefined when no level sets any, and merges into none from inputs', () => {
    expect(only('- [wf1]').execute.parameters).toBeUndefined()
    expect(only('phases: [[wf1]]\nparameters: {a: 1}').execute.parameters).toEqual({ a: 1 })
  })

  it('does not share a merged parameter map between workflows', () => {
    const plan = read('parameters: {a: 1}\nphases:\n  - [wf1, {workflow: wf2, parameters: {b: 2}}]')
    expect(plan[0]?.[0]?.execute.parameters).toEqual({ a: 1 })
    expect(plan[0]?.[1]?.execute.parameters).toEqual({ a: 1, b: 2 })
  })

  it('adds up step checks on different steps: the plan’s, then the phase’s, then the workflow’s', () => {
    const plan = read(`
steps: [{step: P, min: {rowCount: 1}}]
phases:
  - steps: [{step: Ph, max: {failedRowCount: 0}}]
    workflows:
      - workflow: wf1
        steps: [{step: W, max-ratio: {failedRowCount/rowCount: 0.01}}]
      - wf2
  - [wf3]
`)
    expect(plan[0]?.[0]?.checks.map(c => c.step)).toEqual(['P', 'Ph', 'W'])
    expect(plan[0]?.[1]?.checks.map(c => c.step)).toEqual(['P', 'Ph'])
    expect(plan[1]?.[0]?.checks.map(c => c.step)).toEqual(['P'])
  })

  it('checks min < max on the resolved values, naming where each came from', () => {
    const message = errorOf(
      'min-duration: 20m\nphases:\n  - {max-duration: 10m, workflows: [wf1, {workflow: wf2, min-duration: 5m}]}'
    )
    expect(message).toBe(
      "Input 'plan' (plan.yml): workflow 'wf1' in phase 1 would run with min-duration 20m (from the " +
        'plan) and max-duration 10m (from phase 1); min-duration must be shorter, or no run could pass both.'
    )
    // The action inputs take part too, and equal limits fail as well.
    expect(errorOf('- [{workflow: wf1, max-duration: 1s}]', inputs)).toContain(
      'min-duration 1.0s (from the action inputs) and max-duration 1.0s (from workflow'
    )
    // Overriding the offending limit makes the same plan valid.
    expect(() =>
      read(
        'min-duration: 20m\nphases:\n  - {max-duration: 10m, min-duration: null, workflows: [a]}'
      )
    ).not.toThrow()
  })
})

describe('readPlanFile: step-check precedence', () => {
  /** wf1's checks in a plan whose levels carry the `steps` lists given (YAML flow lists). */
  function checksOf(levels: { plan?: string; phase?: string; workflow?: string }) {
    const line = (value: string | undefined, indent: string): string =>
      value === undefined ? '' : `${indent}steps: ${value}\n`
    const plan = read(
      `${line(levels.plan, '')}phases:\n  - workflows:\n      - workflow: wf1\n` +
        `${line(levels.workflow, '        ')}      - wf2\n${line(levels.phase, '    ')}`
    )
    return plan[0]?.[0]?.checks
  }

  const kinds: {
    kind: string
    field: string
    counter: string
    values: [number, number, number]
  }[] = [
    { kind: 'min', field: 'min', counter: 'rowCount', values: [10, 20, 30] },
    { kind: 'max', field: 'max', counter: 'failedRowCount', values: [0, 5, 10] },
    {
      kind: 'min-ratio',
      field: 'minRatio',
      counter: 'validRowCount/rowCount',
      values: [0.9, 0.95, 0.99]
    },
    {
      kind: 'max-ratio',
      field: 'maxRatio',
      counter: 'failedRowCount/rowCount',
      values: [0.05, 0.01, 0.005]
    }
  ]

  for (const { kind, field, counter, values } of kinds) {
    it(`${kind}: the most specific level that bounds a step's counter wins`, () => {
      const [plan, phase, workflow] = values.map(v => `[{step: V, ${kind}: {${counter}: ${v}}}]`)
      const bound = (v: number) => [{ step: 'V', [field]: { [counter]: v } }]
      expect(checksOf({ plan })).toEqual(bound(values[0]))
      expect(checksOf({ plan, phase })).toEqual(bound(values[1]))
      expect(checksOf({ plan, phase, workflow })).toEqual(bound(values[2]))
      // A level left out falls through to the next wider one.
      expect(checksOf({ plan, workflow })).toEqual(bound(values[2]))
      expect(checksOf({ phase })).toEqual(bound(values[1]))
      expect(checksOf({ phase, workflow })).toEqual(bound(values[2]))
    })
  }

  it('lets a workflow relax its phase’s bound, which then passes where the phase’s would fail', () => {
    const checks = checksOf({
      phase: '[{step: Validate addresses, max: {failedRowCount: 0}}]',
      workflow: '[{step: Validate addresses, max: {failedRowCount: 10}}]'
    })
    expect(checks).toEqual([{ step: 'Validate addresses', max: { failedRowCount: 10 } }])
    const steps = [
      { name: 'Validate addresses', state: 'COMPLETED', counters: { failedRowCount: 4 } }
    ]
    const verdict = judgeStepChecks(checks ?? [], steps)
    expect(verdict.passed).toBe(true)
    const phaseOnly = [{ step: 'Validate addresses', max: { failedRowCount: 0 } }]
    expect(judgeStepChecks(phaseOnly, steps).passed).toBe(false)
    expect(verdict.results.map(r => r.description)).toEqual([
      "step 'Validate addresses': failedRowCount 4 ≤ max 10"
    ])
  })

  it('lets a workflow tighten the plan’s bound', () => {
    const checks = checksOf({
      plan: '[{step: V, max-ratio: {failedRowCount/rowCount: 0.05}}]',
      workflow: '[{step: V, max-ratio: {failedRowCount/rowCount: 0.001}}]'
    })
    expect(checks).toEqual([{ step: 'V', maxRatio: { 'failedRowCount/rowCount': 0.001 } }])
    const steps = [
      { name: 'V', state: 'COMPLETED', counters: { failedRowCount: 2, rowCount: 1000 } }
    ]
    expect(judgeStepChecks(checks ?? [], steps).passed).toBe(false)
  })

  it('null removes an inherited bound; the check’s other bounds still apply', () => {
    const phase = '[{step: V, min: {rowCount: 1}, max: {failedRowCount: 0}}]'
    expect(checksOf({ phase, workflow: '[{step: V, max: {failedRowCount: null}}]' })).toEqual([
      { step: 'V', min: { rowCount: 1 } }
    ])
    // Every bound null: the inherited check is gone for this workflow only.
    const plan = read(`
phases:
  - steps: [{step: V, min: {rowCount: 1}, max-ratio: {failedRowCount/rowCount: 0.01}}]
    workflows:
      - workflow: wf1
        steps: [{step: V, min: {rowCount: null}, max-ratio: {failedRowCount/rowCount: null}}]
      - wf2
`)
    expect(plan[0]?.[0]?.checks).toEqual([])
    expect(plan[0]?.[1]?.checks).toEqual([
      { step: 'V', min: { rowCount: 1 }, maxRatio: { 'failedRowCount/rowCount': 0.01 } }
    ])
    // A null with nothing to remove is no check; a narrower level may set the bound again.
    expect(checksOf({ workflow: '[{step: V, max: {failedRowCount: null}}]' })).toEqual([])
    expect(
      checksOf({
        plan: '[{step: V, max: {failedRowCount: 0}}]',
        phase: '[{step: V, max: {failedRowCount: null}}]',
        workflow: '[{step: V, max: {failedRowCount: 3}}]'
      })
    ).toEqual([{ step: 'V', max: { failedRowCount: 3 } }])
  })

  it('keeps outer bounds on other steps, other counters and other kinds', () => {
    const checks = checksOf({
      plan: '[{step: Load, min: {rowCount: 1000}}]',
      phase:
        '[{step: V, max: {failedRowCount: 0}, min: {rowCount: 1}, max-ratio: {failedRowCount/rowCount: 0.01}}]',
      workflow: '[{step: V, max: {failedRowCount: 10, warningCount: 5}}]'
    })
    expect(checks).toEqual([
      { step: 'Load', min: { rowCount: 1000 } },
      // The phase's max on failedRowCount gave way; its min and max-ratio did not.
      { step: 'V', min: { rowCount: 1 }, maxRatio: { 'failedRowCount/rowCount': 0.01 } },
      { step: 'V', max: { failedRowCount: 10, warningCount: 5 } }
    ])
    const steps: Step[] = [
      { name: 'Load', state: 'COMPLETED', counters: { rowCount: 500 } },
      {
        name: 'V',
        state: 'COMPLETED',
        counters: { rowCount: 1000, failedRowCount: 8, warningCount: 0 }
      }
    ]
    const verdict = judgeStepChecks(checks ?? [], steps)
    expect(verdict.results.filter(r => !r.passed).map(r => r.description)).toEqual([
      "step 'Load': rowCount 500 < min 1,000"
    ])
  })

  it('matches steps and counters ignoring case, and ratios ignoring spaces, as the checks do', () => {
    expect(
      checksOf({
        phase:
          '[{step: Validate addresses, max: {failedRowCount: 0}, max-ratio: {failedRowCount/rowCount: 0}}]',
        workflow:
          '[{step: VALIDATE Addresses, max: {FailedRowCount: 2}, max-ratio: {"failedRowCount / rowCount": 0.1}}]'
      })
    ).toEqual([
      {
        step: 'VALIDATE Addresses',
        max: { FailedRowCount: 2 },
        maxRatio: { 'failedRowCount/rowCount': 0.1 }
      }
    ])
  })

  it('keeps every bound one level sets on the same counter, as before', () => {
    expect(
      checksOf({
        phase: '[{step: V, max: {failedRowCount: 0}}]',
        workflow: '[{step: V, max: {failedRowCount: 5}}, {step: V, max: {failedRowCount: 9}}]'
      })
    ).toEqual([
      { step: 'V', max: { failedRowCount: 5 } },
      { step: 'V', max: { failedRowCount: 9 } }
    ])
  })

  it('refuses a resolved min above a resolved max, naming the levels they came from', () => {
    expect(
      errorOf(`
phases:
  - steps: [{step: V, min: {rowCount: 1000}}]
    workflows:
      - {workflow: wf1, steps: [{step: v, max: {RowCount: 500}}]}
`)
    ).toBe(
      "Input 'plan' (plan.yml): workflow 'wf1' in phase 1 would check step 'V' with min for " +
        "'rowCount' 1000 (from phase 1) above max 500 (from workflow 'wf1'); no run could pass both."
    )
    expect(
      errorOf(
        'steps: [{step: V, max-ratio: {a/b: 0.1}}]\n' +
          'phases: [[{workflow: wf1, steps: [{step: V, min-ratio: {a/b: 0.2}}]}]]'
      )
    ).toContain("min-ratio for 'a/b' 0.2 (from workflow 'wf1') above max-ratio 0.1 (from the plan)")
    // Overriding or removing the offending bound makes the plan valid.
    expect(() =>
      read(`
phases:
  - steps: [{step: V, min: {rowCount: 1000}}]
    workflows:
      - {workflow: wf1, steps: [{step: V, min: {rowCount: null}, max: {rowCount: 500}}]}
`)
    ).not.toThrow()
  })

  it('accepts null as a bound, and refuses a bound that is neither a number nor null', () => {
    expect(only('steps: [{step: V, max: {a: ~}}]\nphases: [[wf1]]').checks).toEqual([])
    expect(errorOf('- [{workflow: wf1, steps: [{step: V, max-ratio: {a/b: "none"}}]}]')).toContain(
      "is 'none': expected a fraction such as 0.005 (= 0.5%) (or null to remove the bound a wider level sets)."
    )
  })
})

describe('readPlanFile: step checks', () => {
  const check = (yaml: string) => only(`- [{workflow: wf1, steps: [${yaml}]}]`).checks[0]

  it('maps max, min, max-ratio and min-ratio to StepCheck', () => {
    expect(check('{step: Validate addresses, max: {failedRowCount: 0}}')).toEqual({
      step: 'Validate addresses',
      max: { failedRowCount: 0 }
    })
    expect(check('{step: Load customers, min: {rowCount: 1000}}')).toEqual({
      step: 'Load customers',
      min: { rowCount: 1000 }
    })
    expect(check('{step: V, max-ratio: {"failedRowCount/rowCount": 0.005}}')).toEqual({
      step: 'V',
      maxRatio: { 'failedRowCount/rowCount': 0.005 }
    })
    expect(check('{step: V, min-ratio: {validRowCount/rowCount: 0.99}}')).toEqual({
      step: 'V',
      minRatio: { 'validRowCount/rowCount': 0.99 }
    })
  })

  it('keeps several bounds of one check together', () => {
    expect(
      check('{step: V, min: {rowCount: 1, b: 2}, max: {rowCount: 9}, max-ratio: {a/b: 1.5}}')
    ).toEqual({
      step: 'V',
      min: { rowCount: 1, b: 2 },
      max: { rowCount: 9 },
      maxRatio: { 'a/b': 1.5 }
    })
  })

  it('allows negative and fractional counter bounds, and a min equal to the max', () => {
    expect(check('{step: V, min: {delta: -5.5}, max: {delta: -5.5}}')).toEqual({
      step: 'V',
      min: { delta: -5.5 },
      max: { delta: -5.5 }
    })
  })

  it('refuses a check without bounds, or with an empty bound map', () => {
    expect(errorOf('- [{workflow: wf1, steps: [{step: V}]}]')).toBe(
      "Input 'plan' (plan.yml) at [0][0].steps[0] (phase 1, workflow 'wf1') checks nothing: " +
        'a step check needs at least one of min, max, min-ratio or max-ratio.'
    )
    expect(errorOf('- [{workflow: wf1, steps: [{step: V, max: {}}]}]')).toContain(
      "at [0][0].steps[0].max (phase 1, workflow 'wf1') is empty: expected at least one counter"
    )
  })

  it('refuses a ratio key that is not two counter names around a slash', () => {
    for (const key of ['failedRowCount', 'a/', '/b', 'a/b/c', ' / ', 'a//b']) {
      expect(
        errorOf(`- [{workflow: wf1, steps: [{step: V, max-ratio: {"${key}": 0.1}}]}]`)
      ).toContain(
        `steps[0].max-ratio (phase 1, workflow 'wf1') has the key '${key}', which is not a ratio: ` +
          'expected two counter names separated by /, such as failedRowCount/rowCount.'
      )
    }
  })

  it('refuses bounds that are not finite numbers, and negative ratios', () => {
    expect(errorOf('- [{workflow: wf1, steps: [{step: V, max: {a: "0"}}]}]')).toContain(
      "steps[0].max.a (phase 1, workflow 'wf1') is '0': expected a number " +
        '(or null to remove the bound a wider level sets).'
    )
    expect(errorOf('- [{workflow: wf1, steps: [{step: V, max: {a: .inf}}]}]')).toContain(
      'is Infinity: expected a number (or null'
    )
    expect(errorOf('- [{workflow: wf1, steps: [{step: V, max: {a: .nan}}]}]')).toContain(
      'is NaN: expected a number (or null'
    )
    expect(errorOf('- [{workflow: wf1, steps: [{step: V, min-ratio: {a/b: -0.1}}]}]')).toContain(
      `steps[0].min-ratio["a/b"] (phase 1, workflow 'wf1') is -0.1: expected a fraction of 0 or more`
    )
  })

  it('refuses a lower bound above the upper one for the same counter', () => {
    expect(errorOf('- [{workflow: wf1, steps: [{step: V, min: {a: 5}, max: {a: 1}}]}]')).toBe(
      "Input 'plan' (plan.yml) at [0][0].steps[0] (phase 1, workflow 'wf1'): min for 'a' (5) " +
        'is above max (1); no run could pass both.'
    )
    expect(
      errorOf(
        '- [{workflow: wf1, steps: [{step: V, min-ratio: {a/b: 0.5}, max-ratio: {a/b: 0.2}}]}]'
      )
    ).toContain("min-ratio for 'a/b' (0.5) is above max-ratio (0.2)")
  })

  it('refuses a check without a step, an empty step name, or steps that are not a list', () => {
    expect(errorOf('- [{workflow: wf1, steps: [{max: {a: 1}}]}]')).toContain(
      "has no 'step': a step check given as a map needs one."
    )
    expect(errorOf('- [{workflow: wf1, steps: [{step: " ", max: {a: 1}}]}]')).toContain(
      "steps[0].step (phase 1, workflow 'wf1') is empty: expected the name of the step"
    )
    expect(errorOf('- [{workflow: wf1, steps: {step: V, max: {a: 1}}}]')).toContain(
      'expected a list of step checks'
    )
  })
})

describe('readPlanFile: invalid plans', () => {
  it('names an unknown key at each level, suggests the nearest and lists the allowed keys', () => {
    expect(errorOf('phases: [[wf1]]\nverison: draft')).toBe(
      "Input 'plan' (plan.yml) has an unknown key 'verison': did you mean 'version'? A plan takes: " +
        'phases, max-duration, min-duration, parameters, version, refresh-sources, space, steps.'
    )
    expect(errorOf('phases:\n  - {workflows: [wf1], maxDuration: 1m}')).toBe(
      "Input 'plan' (plan.yml) at phases[0] (phase 1) has an unknown key 'maxDuration': did you mean " +
        "'max-duration'? A phase takes: name, workflows, max-duration, min-duration, parameters, " +
        'version, refresh-sources, space, steps.'
    )
    expect(errorOf('phases:\n  - [wf1, {workflow: wf2, max-duraton: 1m}]')).toBe(
      "Input 'plan' (plan.yml) at phases[0][1] (phase 1, workflow 'wf2') has an unknown key " +
        "'max-duraton': did you mean 'max-duration'? A workflow takes: workflow, max-duration, " +
        'min-duration, parameters, version, refresh-sources, space, steps.'
    )
    expect(errorOf('- [{workflow: wf1, steps: [{step: V, maximum: {a: 1}}]}]')).toContain(
      "has an unknown key 'maximum': did you mean 'max'? A step check takes: step, min, max, " +
        'min-ratio, max-ratio.'
    )
    expect(errorOf('- [{workflow: wf1, refresh_sources: true}]')).toContain(
      "did you mean 'refresh-sources'?"
    )
  })

  it('suggests nothing when no allowed key is close', () => {
    const message = errorOf('- [{workflow: wf1, owner: data-team}]')
    expect(message).toContain("has an unknown key 'owner'. A workflow takes: workflow,")
    expect(message).not.toContain('did you mean')
  })

  it('refuses wrong types, quoting the value and saying what is expected', () => {
    const cases: [string, string][] = [
      [
        '"just text"',
        "Input 'plan' (plan.yml) is 'just text': expected a list of phases, or a map with 'phases' and defaults for every workflow."
      ],
      ['phases: wf1', "at phases is 'wf1': expected a list of phases."],
      [
        '- wf1',
        "at [0] (phase 1) is 'wf1': expected a phase: a list of workflows, or a map with 'workflows'."
      ],
      [
        '- [wf1, 3]',
        "at [0][1] (phase 1, workflow 2) is 3: expected a workflow: its external label, or a map with 'workflow' and its settings."
      ],
      [
        '- [{workflow: 3}]',
        "at [0][0].workflow (phase 1, workflow 1) is 3: expected the workflow's external label."
      ],
      [
        '- [{workflow: a, max-duration: true}]',
        "at [0][0].max-duration (phase 1, workflow 'a') is 'true': expected a number of seconds or a duration"
      ],
      [
        '- [{workflow: a, parameters: [1]}]',
        "at [0][0].parameters (phase 1, workflow 'a') is '[1]': expected a map of parameter names to values"
      ],
      [
        '- [{workflow: a, parameters: {list: [1, 2]}}]',
        "at [0][0].parameters.list (phase 1, workflow 'a') is '[1,2]': expected a string, a number or true/false."
      ],
      [
        '- [{workflow: a, refresh-sources: "yes"}]',
        "at [0][0].refresh-sources (phase 1, workflow 'a') is 'yes': expected true or false."
      ],
      [
        '- [{workflow: a, space: my space}]',
        "at [0][0].space (phase 1, workflow 'a') is 'my space': expected the external label of a Space, without spaces, slashes, ? or #."
      ],
      [
        'phases:\n  - {name: 3, workflows: [a]}',
        'at phases[0].name (phase 1) is 3: expected a name, a string.'
      ]
    ]
    for (const [text, expected] of cases) expect(errorOf(text)).toContain(expected)
  })

  it('refuses a bad version, listing the two choices', () => {
    expect(errorOf('- [{workflow: a, version: latest}]')).toBe(
      "Input 'plan' (plan.yml) at [0][0].version (phase 1, workflow 'a') is 'latest': expected " +
        'published (the last published version) or draft (the latest draft).'
    )
    // The action input's long spellings are not part of the file's vocabulary.
    expect(errorOf('version: PreferDraft\nphases: [[a]]')).toContain("at version is 'PreferDraft'")
  })

  it('refuses durations that do not parse, zero and negative ones', () => {
    expect(errorOf('- [{workflow: a, max-duration: 10 minutes}]')).toBe(
      "Input 'plan' (plan.yml) at [0][0].max-duration (phase 1, workflow 'a') is '10 minutes': " +
        'expected a number of seconds or a duration such as 90s, 10m, 1h30m, 2h or 500ms (or null for no limit).'
    )
    expect(errorOf('phases: [[a]]\nmin-duration: 0s')).toContain("at min-duration is '0s'")
    expect(errorOf('phases:\n  - {workflows: [a], max-duration: 0}')).toContain(
      'at phases[0].max-duration (phase 1) is 0: expected a duration longer than 0.'
    )
    expect(errorOf('- [{workflow: a, min-duration: -5}]')).toContain(
      'is -5: expected a duration longer than 0.'
    )
    // A bad value is reported even where a narrower level overrides it.
    expect(errorOf('max-duration: soon\nphases:\n  - [{workflow: a, max-duration: 1m}]')).toContain(
      "at max-duration is 'soon'"
    )
  })

  it('refuses an empty plan, an empty phase list and an empty phase', () => {
    expect(errorOf('')).toBe(
      "Input 'plan' (plan.yml) is empty: expected a list of phases or a map with 'phases'."
    )
    expect(errorOf('# only a comment\n')).toContain('is empty')
    expect(errorOf('[]')).toBe("Input 'plan' (plan.yml) is empty: expected at least one phase.")
    expect(errorOf('phases: []')).toBe(
      "Input 'plan' (plan.yml) at phases is empty: expected at least one phase."
    )
    expect(errorOf('- [a]\n- []')).toBe(
      "Input 'plan' (plan.yml) at [1] (phase 2) is an empty phase: every phase needs at least one workflow."
    )
    expect(errorOf('phases:\n  - workflows: []')).toContain(
      'at phases[0].workflows (phase 1) is an empty phase'
    )
    expect(errorOf('phases:\n  - {name: Load}')).toContain(
      "at phases[0] (phase 1) has no 'workflows': a phase given as a map needs one."
    )
    expect(errorOf('max-duration: 1m')).toContain(
      "has no 'phases': a plan given as a map needs one."
    )
  })

  it('refuses an empty label and the same label twice in a phase', () => {
    expect(errorOf('- [wf1, ""]')).toBe(
      "Input 'plan' (plan.yml) at [0][1] (phase 1, workflow 2) is empty: expected the workflow's external label."
    )
    expect(errorOf('- [{workflow: "  "}]')).toContain('is empty: expected the workflow')
    expect(errorOf('- [wf0]\n- [wf1, wf2, {workflow: wf1}]')).toBe(
      "Input 'plan' (plan.yml): phase 2 lists 'wf1' twice ([1][0] and [1][2]); a workflow runs once per phase."
    )
    expect(errorOf('phases:\n  - workflows: [wf1, " wf1"]')).toContain(
      "phase 1 lists 'wf1' twice (phases[0].workflows[0] and phases[0].workflows[1])"
    )
  })

  it('reports malformed YAML and JSON with the line and column', () => {
    expect(errorOf('phases:\n  - [wf1\n  - wf2\n')).toBe(
      "Input 'plan' (plan.yml) is not valid YAML or JSON: Flow sequence in block collection must be " +
        'sufficiently indented and end with a ] at line 3, column 3.'
    )
    expect(errorOf('{"phases": [["a"]], "phases": []}')).toContain('at line 1')
    expect(errorOf('phases: [[a]]\nversion: draft\nversion: published')).toMatch(
      /not valid YAML or JSON: Map keys must be unique at line 3, column 1\.$/
    )
  })

  it('refuses a file whose aliases would expand without bound', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (let i = 1; i < 8; i++) {
      const previous = String.fromCharCode(96 + i)
      const name = String.fromCharCode(97 + i)
      levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`)
    }
    expect(errorOf(`${levels.join('\n')}\nphases: [[h]]`)).toMatch(
      /^Input 'plan' \(plan\.yml\) could not be read: Excessive alias count/
    )
  })

  it('quotes paths with keys that are not plain words', () => {
    expect(errorOf('- [{workflow: a, parameters: {"run date": {x: 1}}}]')).toContain(
      'at [0][0].parameters["run date"] (phase 1,'
    )
  })

  it('names the input and source it was given', () => {
    expect(() => readPlanFile('[]', base, 'plans/x.json', 'plan-file')).toThrow(
      "Input 'plan-file' (plans/x.json) is empty"
    )
  })
})

describe('isInlinePlan and loadPlan', () => {
  const files: Record<string, string> = {
    'plans/nightly.yml': 'phases:\n  - [wf1]\n',
    'plans/nightly.json': '[["wf2"]]',
    'bad.yml': 'phases: [[a]]\nverison: draft\n'
  }
  const reads: string[] = []
  const readFile: ReadFile = path => {
    reads.push(path)
    return files[path]
  }

  it('takes several lines, JSON, a one-line list or a phases: map as the plan itself', () => {
    for (const inline of [
      'phases:\n  - [wf1]',
      '- [wf1]\n',
      '[["wf1"]]',
      '  {"phases": [["wf1"]]}',
      'phases: [[wf1]]',
      '- [wf1]'
    ]) {
      expect(isInlinePlan(inline)).toBe(true)
    }
    for (const path of ['plans/nightly.yml', 'C:\\plans\\nightly.yaml', './plan.json', 'plan']) {
      expect(isInlinePlan(path)).toBe(false)
    }
  })

  it('reads an inline plan without touching the file system, naming it inline in errors', () => {
    reads.length = 0
    expect(labels(loadPlan('- [wf1, wf2]\n', readFile, base))).toEqual([['wf1', 'wf2']])
    expect(() => loadPlan('phases: []', readFile, base)).toThrow(
      "Input 'plan' (inline) at phases is empty"
    )
    expect(reads).toEqual([])
  })

  it('reads a YAML or JSON file by its path, naming the path in errors', () => {
    expect(labels(loadPlan(' plans/nightly.yml ', readFile, base))).toEqual([['wf1']])
    expect(labels(loadPlan('plans/nightly.json', readFile, base))).toEqual([['wf2']])
    expect(() => loadPlan('bad.yml', readFile, base)).toThrow(
      "Input 'plan' (bad.yml) has an unknown key 'verison'"
    )
  })

  it('refuses a missing file, naming the input and the path', () => {
    expect(() => loadPlan('plans/nighty.yml', readFile, base)).toThrow(
      new InputError(
        "Input 'plan' is 'plans/nighty.yml': no such file. Give the path of a .yml, .yaml or .json " +
          'plan relative to the working directory (on a runner, the workspace: check the repository out first).'
      )
    )
    // A single word was more likely meant as a plan than as a file name.
    expect(() => loadPlan('wf1', readFile, base)).toThrow(
      /no such file.*or the plan itself: YAML over several lines, or JSON starting with \[ or \{\.$/
    )
  })

  it('reports a file that cannot be read, and an empty input', () => {
    const failing: ReadFile = () => {
      throw new Error('EISDIR: illegal operation on a directory')
    }
    expect(() => loadPlan('plans', failing, base)).toThrow(
      "Input 'plan' is 'plans': the file could not be read (EISDIR: illegal operation on a directory)."
    )
    expect(() => loadPlan('  ', readFile, base)).toThrow("Input 'plan' is empty")
  })
})

describe('readFileIfExists', () => {
  it('reads a file, gives undefined for a missing one and throws for other failures', () => {
    const dir = mkdtempSync(join(tmpdir(), 'planfile-'))
    const file = join(dir, 'plan.yml')
    writeFileSync(file, '- [wf1]\n')
    expect(readFileIfExists(file)).toBe('- [wf1]\n')
    expect(readFileIfExists(join(dir, 'missing.yml'))).toBeUndefined()
    expect(() => readFileIfExists(dir)).toThrow(/EISDIR/)
    expect(labels(loadPlan(file, readFileIfExists, base))).toEqual([['wf1']])
    expect(() => loadPlan(dir, readFileIfExists, base)).toThrow(
      /the file could not be read \(EISDIR/
    )
  })
})

describe('suggest', () => {
  const keys = ['workflow', 'max-duration', 'min-duration', 'parameters', 'version', 'steps']
  it('finds other spellings, typos and prefixes, and nothing far away', () => {
    expect(suggest('maxDuration', keys)).toBe('max-duration')
    expect(suggest('MIN_DURATION', keys)).toBe('min-duration')
    expect(suggest('verison', keys)).toBe('version')
    expect(suggest('workflw', keys)).toBe('workflow')
    expect(suggest('param', keys)).toBe('parameters')
    expect(suggest('step', keys)).toBe('steps')
    expect(suggest('owner', keys)).toBeUndefined()
    expect(suggest('x', keys)).toBeUndefined()
  })
})

describe('plan.schema.json', () => {
  const schema = JSON.parse(
    readFileSync(new URL('../plan.schema.json', import.meta.url), 'utf8')
  ) as Record<string, unknown>

  it('is a valid draft-07 schema that ajv compiles in strict mode', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true })
    expect(ajv.validateSchema(schema)).toBe(true)
    const validate = ajv.compile(schema)
    expect(validate([['wf1']])).toBe(true)
    expect(validate({ phases: [['wf1']], extra: 1 })).toBe(false)
  })

  it('accepts exactly the duration strings parseDurationMs reads (the editor and the action agree)', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true })
    ajv.addSchema(schema)
    const validate = ajv.getSchema(`${String(schema.$id)}#/definitions/duration`)
    if (validate === undefined) throw new Error('no #/definitions/duration in plan.schema.json')
    // [text, whether parseDurationMs reads it]: the second column keeps the table honest.
    const table: [string, boolean][] = [
      ['90s', true],
      ['10m', true],
      ['1h30m', true],
      ['2h', true],
      ['500ms', true],
      ['45', true],
      ['2.5', true],
      ['1h30m15s', true],
      ['1h2m3s500ms', true],
      ['1m500ms', true],
      ['1h500ms', true],
      ['1.5h', true],
      ['0.5m', true],
      ['2.5s', true],
      [' 5M ', true],
      ['1H30M', true],
      ['500MS', true],
      ['\t10m\n', true],
      ['\u00a010s\u00a0', true],
      ['\ufeff5s', true],
      ['0s', true], // parses to 0, which the action then refuses as not longer than 0
      ['0', true],
      ['', false],
      ['   ', false],
      ['soon', false],
      ['10 minutes', false],
      ['1 m', false],
      ['1h 30m', false],
      ['-5', false],
      ['+5', false],
      ['1e3', false],
      ['0x10', false],
      ['.5s', false],
      ['5.s', false],
      ['5d', false],
      ['1m1h', false],
      ['1s1m', false],
      ['5sm', false],
      ['1ms1s', false],
      ['5ms5ms', false],
      ['h', false],
      ['m', false],
      ['ms', false],
      ['1.5.2s', false],
      ['1.5ms', false],
      ['10mss', false],
      ['10m\u200b', false],
      ['\u0661\u0660s', false]
    ]
    for (const [text, parses] of table) {
      expect([text, parseDurationMs(text) !== undefined]).toEqual([text, parses])
      expect([text, validate(text)]).toEqual([text, parses])
    }
    // Numbers and null stay allowed; a number must be more than 0.
    expect([validate(90), validate(2.5), validate(null)]).toEqual([true, true, true])
    expect([validate(0), validate(-5)]).toEqual([false, false])
  })

  it('has an $id, a title and descriptions for editors', () => {
    expect(schema.$id).toMatch(/^https:\/\/.+\/plan\.schema\.json$/)
    expect(schema.title).toEqual(expect.any(String))
    expect(schema.description).toEqual(expect.stringContaining('workflow > phase > plan'))
    const definitions = schema.definitions as Record<string, { description?: string }>
    for (const name of [
      'plan',
      'phase',
      'workflow',
      'maxDuration',
      'parameters',
      'steps',
      'stepCheck'
    ]) {
      expect(definitions[name]?.description).toEqual(expect.any(String))
    }
  })
})
