/**
 * Plan files, step checks, the dry run and the reports, end to end: the committed bundle as a
 * process against the simulator, whose step counters the checks are judged on.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import { validateXML } from 'xmllint-wasm'
import type { RunningSimulator } from '../src/simulator/server.js'
import { runAction } from './fixtures/action-process.js'
import { startTestSimulator } from './fixtures/simulator.js'

const KEY = 'plan-e2e-Key-31c'
const SCENARIO = `
apiKey: ${KEY}
defaults: { queued: 50ms }
workflows:
  load:
    duration: 300ms
    steps:
      - { name: Load customers, rowCount: 120000 }
  validate:
    duration: 300ms
    steps:
      - { name: Load customers, rowCount: 118450 }
      - { name: Validate addresses, rowCount: 118450, failedRowCount: 312 }
  publish: { duration: 200ms }
`

let dir: string | undefined

afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  dir = undefined
})

async function setUp(): Promise<{ sim: RunningSimulator; dir: string }> {
  const sim = await startTestSimulator(SCENARIO)
  dir = mkdtempSync(join(tmpdir(), 'plan-e2e-'))
  return { sim, dir }
}

type Result = { workflow: string; outcome: string; reason: string | null }

describe('a plan file with step checks', () => {
  it('judges each check form against the step counts Data Studio returned', async () => {
    const { sim, dir } = await setUp()
    const plan = join(dir, 'plan.yml')
    writeFileSync(
      plan,
      [
        'max-duration: 1m',
        'phases:',
        '  - workflows:',
        '      - workflow: load',
        '        steps: [{ step: Load customers, min: { rowCount: 1000 } }]',
        '      - workflow: validate',
        '        steps:',
        '          - { step: validate addresses, max-ratio: { failedRowCount/rowCount: 0.005 } }',
        '          - { step: Validate addresses, max: { failedRowCount: 0 } }',
        '  - [publish]'
      ].join('\n')
    )
    const report = join(dir, 'reports', 'junit.xml')
    const run = await runAction({
      'server-url': sim.url,
      'api-key': KEY,
      plan,
      'junit-report': report,
      'fail-fast': 'false'
    })

    expect(run.code).toBe(1)
    const results = JSON.parse(run.outputs.results ?? '[]') as Result[]
    expect(results.map(r => [r.workflow, r.outcome])).toEqual([
      ['load', 'success'],
      ['validate', 'failed'],
      ['publish', 'success']
    ])
    // The ratio (312 / 118450 = 0.26%) passes; the absolute bound does not.
    expect(results[1]?.reason).toBe(
      "step checks failed: step 'Validate addresses': failedRowCount 312 > max 0"
    )
    expect(run.stdout).toContain("[load]   check ✓ step 'Load customers': rowCount 120,000")
    expect(run.stdout).toMatch(
      /\[validate\] {3}check ✓ step 'Validate addresses': failedRowCount\/rowCount 0\.26%/
    )
    expect(run.summary).toContain('| Workflow | Step check | Result |')
    expect(run.summary).toMatch(/failedRowCount 312 &gt; max 0 \| ❌ failed \|/)

    // The JUnit report: valid against the schema, and it says the same as the outputs.
    const xml = readFileSync(report, 'utf8')
    const schema = readFileSync(new URL('./fixtures/junit.xsd', import.meta.url), 'utf8')
    const validation = await validateXML({
      xml: [{ fileName: 'junit.xml', contents: xml }],
      schema: [{ fileName: 'junit.xsd', contents: schema }]
    })
    expect(validation.errors).toEqual([])
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml)
    const suites = [parsed.testsuites.testsuite].flat()
    expect(
      suites.map((s: { name: string; tests: string; failures: string }) => [
        s.name,
        s.tests,
        s.failures
      ])
    ).toEqual([
      ['Phase 1', '2', '1'],
      ['Phase 2', '1', '0']
    ])
    const failing = [suites[0].testcase].flat().find((c: { name: string }) => c.name === 'validate')
    expect(failing.failure.message).toContain('failedRowCount 312 > max 0')
  })

  // validate's 'Validate addresses' step ends with rowCount 118450 and failedRowCount 312.
  it.each([
    ['min passes', 'min: { rowCount: 100000 }', 'success'],
    ['min fails', 'min: { rowCount: 200000 }', 'failed'],
    ['max passes', 'max: { failedRowCount: 500 }', 'success'],
    ['max fails', 'max: { failedRowCount: 100 }', 'failed'],
    ['max-ratio passes', 'max-ratio: { failedRowCount/rowCount: 0.01 }', 'success'],
    ['max-ratio fails', 'max-ratio: { failedRowCount/rowCount: 0.001 }', 'failed'],
    ['min-ratio passes', 'min-ratio: { rowCount/rowCount: 1 }', 'success'],
    ['min-ratio fails', 'min-ratio: { failedRowCount/rowCount: 0.01 }', 'failed']
  ])('%s against the simulator', async (_form, bound, outcome) => {
    const { sim } = await setUp()
    const check = `{ step: Validate addresses, ${bound} }`
    const run = await runAction({
      'server-url': sim.url,
      'api-key': KEY,
      plan: `- [{ workflow: validate, steps: [${check}] }]`
    })
    const [result] = JSON.parse(run.outputs.results ?? '[]') as Result[]
    expect(result?.outcome).toBe(outcome)
    expect(run.code).toBe(outcome === 'success' ? 0 : 1)
  })

  it('fails a check that names a step the server did not return', async () => {
    const { sim } = await setUp()
    const run = await runAction({
      'server-url': sim.url,
      'api-key': KEY,
      plan: '- [{ workflow: publish, steps: [{ step: Export results, min: { rowCount: 1 } }] }]'
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      "Data Studio returned no step 'Export results' (it returned no steps)"
    )
  })

  it('draws the run as a Gantt timeline in the summary', async () => {
    const { sim } = await setUp()
    const run = await runAction({
      'server-url': sim.url,
      'api-key': KEY,
      phases: 'load, validate\npublish'
    })
    expect(run.code).toBe(0)
    const gantt = /```mermaid\n(gantt[\s\S]*?)```/.exec(run.summary)?.[1] ?? ''
    expect(gantt).toContain('dateFormat x')
    expect(gantt.match(/^ {2}section /gm)).toHaveLength(2)
    expect(gantt).toMatch(
      /section Phase 1[\s\S]*load[\s\S]*validate[\s\S]*section Phase 2[\s\S]*publish/
    )
  })

  it('reports a bad plan file before anything runs', async () => {
    const { sim } = await setUp()
    const run = await runAction({
      'server-url': sim.url,
      'api-key': KEY,
      plan: '- [{ workflow: load, max-duraton: 5m }]'
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(
      /::error::Input 'plan' \(inline\) .*unknown key 'max-duraton': did you mean 'max-duration'\?/
    )
    expect(sim.log()).toHaveLength(0)
  })
})

describe('dry run', () => {
  it('checks the server and the key, shows the resolved plan, and executes nothing', async () => {
    const { sim } = await setUp()
    const run = await runAction({
      'server-url': sim.url,
      'api-key': KEY,
      plan: 'max-duration: 30m\nphases:\n  - [load, { workflow: validate, version: draft }]\n  - [publish]',
      'dry-run': 'true'
    })

    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Dry run: nothing will be executed.')
    expect(run.stdout).toContain('answered and accepted the API key')
    expect(run.summary).toContain('## ✅ Dry run passed')
    expect(run.summary).toContain('| 1 | `validate` | 30m | — | draft | no | — | — | — |')
    expect(run.summary).toContain('| 2 | `publish` | 30m |')
    expect(sim.log().map(e => e.route)).toEqual(['jobs'])
    expect(sim.stats().jobs).toEqual([])
    expect(run.outputs.result).toBe('success')
  })

  it('fails with the reason when the key is refused, still executing nothing', async () => {
    const { sim } = await setUp()
    const run = await runAction({
      'server-url': sim.url,
      'api-key': 'wrong-key',
      phases: 'load',
      'dry-run': 'true'
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('::error::Dry run: Data Studio refused the API key (401)')
    expect(run.summary).toContain('## ❌ Dry run failed')
    expect(sim.stats().jobs).toEqual([])
  })
})
