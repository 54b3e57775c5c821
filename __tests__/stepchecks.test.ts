import { describe, expect, it } from '@jest/globals'
import type { Step } from '../src/contract.js'
import type { StepCheck } from '../src/plan.js'
import { judgeStepChecks } from '../src/stepchecks.js'

const step = (name: string, counters: Record<string, number>, state = 'COMPLETED'): Step => ({
  name,
  state,
  counters
})

const steps: Step[] = [
  step('Load customers', { rowCount: 120_000 }),
  step('Validate addresses', { rowCount: 120_000, failedRowCount: 312 }),
  step('Export results', { rowCount: 0, failedRowCount: 0 })
]

const descriptions = (checks: StepCheck[], on: Step[] = steps): string[] =>
  judgeStepChecks(checks, on).results.map(r => r.description)

describe('judgeStepChecks: counter bounds', () => {
  it('passes and fails max, with the actual value and the bound', () => {
    const verdict = judgeStepChecks(
      [{ step: 'Validate addresses', max: { failedRowCount: 0, rowCount: 200_000 } }],
      steps
    )
    expect(verdict.passed).toBe(false)
    expect(verdict.results).toEqual([
      {
        check: { step: 'Validate addresses', max: { failedRowCount: 0, rowCount: 200_000 } },
        step: 'Validate addresses',
        matchedStep: 'Validate addresses',
        kind: 'max',
        counter: 'failedRowCount',
        actual: 312,
        bound: 0,
        passed: false,
        description: "step 'Validate addresses': failedRowCount 312 > max 0"
      },
      expect.objectContaining({
        counter: 'rowCount',
        actual: 120_000,
        passed: true,
        description: "step 'Validate addresses': rowCount 120,000 ≤ max 200,000"
      })
    ])
  })

  it('passes and fails min, a value equal to the bound passing', () => {
    expect(descriptions([{ step: 'Load customers', min: { rowCount: 1000 } }])).toEqual([
      "step 'Load customers': rowCount 120,000 ≥ min 1,000"
    ])
    expect(
      judgeStepChecks([{ step: 'Load customers', min: { rowCount: 120_000 } }], steps).passed
    ).toBe(true)
    const low = judgeStepChecks([{ step: 'Export results', min: { rowCount: 1 } }], steps)
    expect(low.passed).toBe(false)
    expect(low.results[0]?.description).toBe("step 'Export results': rowCount 0 < min 1")
  })

  it('passes a max equal to the bound, and shows fractional values', () => {
    const s = [step('Score', { averageScore: 0.875 })]
    expect(judgeStepChecks([{ step: 'Score', max: { averageScore: 0.875 } }], s).passed).toBe(true)
    expect(descriptions([{ step: 'Score', min: { averageScore: 0.9 } }], s)).toEqual([
      "step 'Score': averageScore 0.875 < min 0.9"
    ])
  })

  it('gives one result per bound, in the order min, max, min-ratio, max-ratio', () => {
    const verdict = judgeStepChecks(
      [
        {
          step: 'Validate addresses',
          maxRatio: { 'failedRowCount/rowCount': 0.01 },
          max: { failedRowCount: 1000 },
          min: { rowCount: 1 }
        }
      ],
      steps
    )
    expect(verdict.results.map(r => r.kind)).toEqual(['min', 'max', 'max-ratio'])
    expect(verdict.passed).toBe(true)
  })

  it('passes with no checks at all', () => {
    expect(judgeStepChecks([], steps)).toEqual({ passed: true, results: [] })
    expect(judgeStepChecks([], [])).toEqual({ passed: true, results: [] })
  })

  it('fails the whole verdict when any one result fails', () => {
    const verdict = judgeStepChecks(
      [
        { step: 'Load customers', min: { rowCount: 1 } },
        { step: 'Validate addresses', max: { failedRowCount: 0 } }
      ],
      steps
    )
    expect(verdict.results.map(r => r.passed)).toEqual([true, false])
    expect(verdict.passed).toBe(false)
  })
})

describe('judgeStepChecks: ratios', () => {
  it('passes and fails max-ratio, showing percentages and the counts', () => {
    const pass = judgeStepChecks(
      [{ step: 'Validate addresses', maxRatio: { 'failedRowCount/rowCount': 0.005 } }],
      steps
    )
    expect(pass.passed).toBe(true)
    expect(pass.results[0]).toEqual(
      expect.objectContaining({
        kind: 'max-ratio',
        counter: 'failedRowCount/rowCount',
        actual: 312 / 120_000,
        bound: 0.005,
        description:
          "step 'Validate addresses': failedRowCount/rowCount 0.26% (312 of 120,000) ≤ max-ratio 0.5%"
      })
    )
    expect(
      descriptions([{ step: 'Validate addresses', maxRatio: { 'failedRowCount/rowCount': 0.001 } }])
    ).toEqual([
      "step 'Validate addresses': failedRowCount/rowCount 0.26% (312 of 120,000) > max-ratio 0.1%"
    ])
  })

  it('passes and fails min-ratio', () => {
    const s = [step('Validate emails', { validRowCount: 990, rowCount: 1000 })]
    expect(
      judgeStepChecks(
        [{ step: 'Validate emails', minRatio: { 'validRowCount/rowCount': 0.99 } }],
        s
      ).passed
    ).toBe(true)
    expect(
      descriptions([{ step: 'Validate emails', minRatio: { 'validRowCount/rowCount': 0.995 } }], s)
    ).toEqual([
      "step 'Validate emails': validRowCount/rowCount 99% (990 of 1,000) < min-ratio 99.5%"
    ])
  })

  it('shows enough digits that a failing ratio never reads the same as its bound', () => {
    const s = [step('V', { failed: 5001, rows: 1_000_000 })]
    expect(descriptions([{ step: 'V', maxRatio: { 'failed/rows': 0.005 } }], s)).toEqual([
      "step 'V': failed/rows 0.5001% (5,001 of 1,000,000) > max-ratio 0.5%"
    ])
    const third = [step('V', { a: 1, b: 3 })]
    expect(descriptions([{ step: 'V', maxRatio: { 'a/b': 0.5 } }], third)).toEqual([
      "step 'V': a/b 33.33% (1 of 3) ≤ max-ratio 50%"
    ])
    const tiny = [step('V', { a: 1, b: 81_000_000 })]
    expect(descriptions([{ step: 'V', maxRatio: { 'a/b': 0 } }], tiny)).toEqual([
      "step 'V': a/b 0.0000012% (1 of 81,000,000) > max-ratio 0%"
    ])
  })

  it('fails a zero denominator with a clear message, unless the numerator is 0 too', () => {
    const zero = judgeStepChecks(
      [{ step: 'Export results', maxRatio: { 'failedRowCount/rowCount': 0.01 } }],
      steps
    )
    expect(zero.passed).toBe(true)
    expect(zero.results[0]?.actual).toBe(0)
    expect(zero.results[0]?.description).toBe(
      "step 'Export results': failedRowCount/rowCount 0% (0 of 0) ≤ max-ratio 1%"
    )
    const s = [step('V', { failedRowCount: 4, rowCount: 0 })]
    const broken = judgeStepChecks([{ step: 'V', maxRatio: { 'failedRowCount/rowCount': 1 } }], s)
    expect(broken.passed).toBe(false)
    expect(broken.results[0]).toEqual(
      expect.objectContaining({
        actual: undefined,
        description:
          "step 'V': failedRowCount/rowCount cannot be computed: rowCount is 0 and failedRowCount is 4"
      })
    )
  })

  it('reads ratio keys with spaces around the slash', () => {
    expect(
      judgeStepChecks(
        [{ step: 'Validate addresses', maxRatio: { 'failedRowCount / rowCount': 0.01 } }],
        steps
      ).passed
    ).toBe(true)
  })
})

describe('judgeStepChecks: missing steps and counters', () => {
  it('fails a check naming a step the server did not return, listing the ones it did', () => {
    const verdict = judgeStepChecks(
      [{ step: 'Validate adresses', max: { failedRowCount: 0 }, min: { rowCount: 1 } }],
      steps
    )
    expect(verdict.passed).toBe(false)
    // One result for the missing step, however many bounds the check has.
    expect(verdict.results).toEqual([
      {
        check: { step: 'Validate adresses', max: { failedRowCount: 0 }, min: { rowCount: 1 } },
        step: 'Validate adresses',
        matchedStep: undefined,
        kind: undefined,
        counter: undefined,
        actual: undefined,
        bound: undefined,
        passed: false,
        description:
          "Data Studio returned no step 'Validate adresses' (it returned: Load customers, Validate addresses, Export results)"
      }
    ])
  })

  it('says so when the job returned no steps at all', () => {
    expect(descriptions([{ step: 'Load customers', min: { rowCount: 1 } }], [])).toEqual([
      "Data Studio returned no step 'Load customers' (it returned no steps)"
    ])
  })

  it('fails a counter the step lacks, naming the counters it has', () => {
    expect(descriptions([{ step: 'Load customers', max: { failedRowCount: 0 } }])).toEqual([
      "step 'Load customers': Data Studio reported no counter 'failedRowCount' for this step (it has: rowCount)"
    ])
    expect(descriptions([{ step: 'Bare', min: { rowCount: 1 } }], [step('Bare', {})])).toEqual([
      "step 'Bare': Data Studio reported no counter 'rowCount' for this step (it has no counters)"
    ])
    // A ratio needs both of its counters.
    expect(
      descriptions([{ step: 'Load customers', maxRatio: { 'failedRowCount/rowCount': 0.1 } }])
    ).toEqual([
      "step 'Load customers': Data Studio reported no counter 'failedRowCount' for this step (it has: rowCount)"
    ])
  })
})

describe('judgeStepChecks: matching names', () => {
  it('matches a step exactly first, then ignoring case, reporting the server’s spelling', () => {
    const verdict = judgeStepChecks(
      [{ step: 'VALIDATE ADDRESSES', max: { failedrowcount: 1000 } }],
      steps
    )
    expect(verdict.passed).toBe(true)
    expect(verdict.results[0]).toEqual(
      expect.objectContaining({
        step: 'VALIDATE ADDRESSES',
        matchedStep: 'Validate addresses',
        counter: 'failedrowcount',
        actual: 312
      })
    )
  })

  it('prefers the exact spelling when steps differ only in case', () => {
    const s = [step('load', { rowCount: 1 }), step('Load', { rowCount: 2 })]
    expect(judgeStepChecks([{ step: 'Load', min: { rowCount: 2 } }], s).passed).toBe(true)
    expect(judgeStepChecks([{ step: 'load', max: { rowCount: 1 } }], s).passed).toBe(true)
  })

  it('fails rather than guesses when ignoring case matches several steps or counters', () => {
    const s = [step('load', { rowCount: 1 }), step('Load', { rowCount: 2 })]
    expect(descriptions([{ step: 'LOAD', min: { rowCount: 1 } }], s)).toEqual([
      "step 'LOAD' matches several steps when case is ignored (load, Load); name one exactly"
    ])
    const c = [step('S', { rows: 1, Rows: 2 })]
    expect(descriptions([{ step: 'S', min: { ROWS: 1 } }], c)).toEqual([
      "step 'S': counter 'ROWS' matches several counters when case is ignored (rows, Rows); name one exactly"
    ])
  })

  it('uses the first of two steps with the same name', () => {
    const s = [step('Load', { rowCount: 1 }), step('Load', { rowCount: 2 })]
    expect(judgeStepChecks([{ step: 'Load', max: { rowCount: 1 } }], s).passed).toBe(true)
  })

  it('names a step with duplicate names once in the list of returned steps', () => {
    const s = [step('Load', {}), step('Load', {})]
    expect(descriptions([{ step: 'X', min: { a: 1 } }], s)).toEqual([
      "Data Studio returned no step 'X' (it returned: Load)"
    ])
  })
})
