import { readFileSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import { XMLParser } from 'fast-xml-parser'
import { validateXML } from 'xmllint-wasm'
import { renderJUnit, xmlAttribute, xmlText } from '../src/junit.js'
import type { Outcome } from '../src/outcome.js'
import type { PhaseResult, RunResult, WorkflowResult } from '../src/runner.js'
import { runResult, workflowResult } from './fixtures/results.js'

const T0 = Date.parse('2026-12-04T10:00:00.000Z')
const at = (seconds: number): Date => new Date(T0 + seconds * 1000)

function wf(
  phase: number,
  workflow: string,
  outcome: Outcome,
  extra: Partial<WorkflowResult> = {}
): WorkflowResult {
  const ran = outcome !== 'skipped'
  return workflowResult({
    phase,
    workflow,
    jobId: ran ? `job-${workflow}` : undefined,
    state: ran ? (outcome === 'success' ? 'COMPLETED' : 'FAILED') : undefined,
    outcome,
    startedAt: ran ? at(0) : undefined,
    finishedAt: ran ? at(10) : undefined,
    durationMs: ran ? 10_000 : undefined,
    ...extra
  })
}

function runOf(phases: PhaseResult[]): RunResult {
  const workflows = phases.flatMap(p => p.workflows)
  return runResult({
    result: workflows.every(w => w.outcome === 'success') ? 'success' : 'failure',
    phases,
    startedAt: at(0),
    durationMs: 95_500
  })
}

/** A run with every outcome: phase 1 succeeds, phase 2 has each failure, phase 3 is skipped. */
const run = runOf([
  {
    phase: 1,
    skipped: undefined,
    workflows: [
      wf(1, 'wf1', 'success', {
        startedAt: at(0),
        finishedAt: at(12.25),
        durationMs: 12_250,
        maxDurationMs: 600_000,
        steps: [
          { name: 'Load customers', state: 'COMPLETED', counters: { rowCount: 120_000 } },
          {
            name: 'Validate addresses',
            state: 'COMPLETED',
            counters: { rowCount: 120_000, failedRowCount: 312 }
          }
        ]
      })
    ]
  },
  {
    phase: 2,
    skipped: undefined,
    workflows: [
      wf(2, 'wf2', 'failed', {
        startedAt: at(13),
        finishedAt: at(20),
        durationMs: 7_000,
        reason: 'Data Studio reported FAILED in step \'Load\': source <crm> & "leads" missing',
        steps: [{ name: 'Load', state: 'FAILED', counters: {} }]
      }),
      wf(2, 'wf3', 'timed-out', {
        startedAt: at(14),
        finishedAt: at(80),
        durationMs: 66_000,
        maxDurationMs: 60_000,
        state: 'RUNNING',
        reason: 'still RUNNING after max-duration 1m; job job-wf3 cancelled in Data Studio'
      }),
      wf(2, 'wf4', 'too-fast', {
        startedAt: at(13),
        finishedAt: at(13.5),
        durationMs: 500,
        minDurationMs: 60_000,
        state: 'COMPLETED',
        reason:
          'completed in 500ms, sooner than min-duration 1m: check that its sources were not empty'
      }),
      wf(2, 'wf5', 'cancelled', {
        startedAt: at(13),
        finishedAt: at(30),
        durationMs: 17_000,
        state: 'CANCELLED',
        reason: 'cancelled in Data Studio'
      }),
      wf(2, 'wf6', 'failed', {
        jobId: undefined,
        state: undefined,
        startedAt: undefined,
        finishedAt: undefined,
        durationMs: undefined,
        reason: 'Data Studio has no workflow wf6 in this environment (404)'
      })
    ]
  },
  {
    phase: 3,
    skipped: 'phase 2 failed (wf2, wf3, wf4, wf5, wf6) and fail-fast is on',
    workflows: [
      wf(3, 'wf7', 'skipped', {
        reason: 'not started: phase 2 failed (wf2, wf3, wf4, wf5, wf6) and fail-fast is on'
      }),
      wf(3, 'wf8', 'skipped', { reason: 'not started: phase 2 failed' })
    ]
  }
])

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  isArray: name => ['testsuite', 'testcase', 'property'].includes(name),
  textNodeName: '#text',
  // Decodes the character references (&#10;) that keep line breaks in attributes.
  htmlEntities: true
})

interface Parsed {
  testsuites: {
    name: string
    tests: string
    failures: string
    errors: string
    time: string
    testsuite: {
      name: string
      tests: string
      failures: string
      errors: string
      skipped: string
      time: string
      timestamp?: string
      properties: { property: { name: string; value: string }[] }
      testcase: {
        name: string
        classname: string
        time: string
        failure?: { message: string; type: string; '#text': string }
        skipped?: { message: string }
        'system-out'?: string
      }[]
    }[]
  }
}

const parse = (xml: string): Parsed => parser.parse(xml) as Parsed
/**
 * The project's own JUnit schema, written by hand in the Jenkins form (not a copy of Jenkins'
 * xunit-plugin junit-10.xsd; it is stricter: a test case must carry its time).
 */
const schema = readFileSync(new URL('./fixtures/junit.xsd', import.meta.url), 'utf8')

async function validate(xml: string) {
  return validateXML({
    xml: [{ fileName: 'report.xml', contents: xml }],
    schema: [{ fileName: 'junit.xsd', contents: schema }]
  })
}

describe('renderJUnit', () => {
  const xml = renderJUnit(run, {})
  const doc = parse(xml)
  const suites = doc.testsuites.testsuite

  it('validates against the project’s hand-written JUnit schema (fixtures/junit.xsd, Jenkins form)', async () => {
    const result = await validate(xml)
    expect(result.errors).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('is a well-formed UTF-8 XML document with a testsuites root', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true)
    expect(xml.endsWith('</testsuites>\n')).toBe(true)
  })

  it('counts every workflow at the root, with the run’s time and the default name', () => {
    expect(doc.testsuites).toEqual(
      expect.objectContaining({
        name: 'Data Studio workflows',
        tests: '8',
        failures: '5',
        errors: '0',
        time: '95.500'
      })
    )
    expect(parse(renderJUnit(run, { name: 'Nightly' })).testsuites.name).toBe('Nightly')
  })

  it('gives one testsuite per phase with its counts, time and timestamp', () => {
    expect(
      suites.map(s => [s.name, s.tests, s.failures, s.errors, s.skipped, s.time, s.timestamp])
    ).toEqual([
      ['Phase 1', '1', '0', '0', '0', '12.250', '2026-12-04T10:00:00.000Z'],
      // From the earliest start (13 s) to the latest end (80 s).
      ['Phase 2', '5', '5', '0', '0', '67.000', '2026-12-04T10:00:13.000Z'],
      ['Phase 3', '2', '0', '0', '2', '0', undefined]
    ])
  })

  it('gives one testcase per workflow, named by its label, classed by its phase', () => {
    expect(suites.map(s => s.testcase.map(c => [c.name, c.classname, c.time]))).toEqual([
      [['wf1', 'datastudio.phase1', '12.250']],
      [
        ['wf2', 'datastudio.phase2', '7.000'],
        ['wf3', 'datastudio.phase2', '66.000'],
        ['wf4', 'datastudio.phase2', '0.500'],
        ['wf5', 'datastudio.phase2', '17.000'],
        ['wf6', 'datastudio.phase2', '0']
      ],
      [
        ['wf7', 'datastudio.phase3', '0'],
        ['wf8', 'datastudio.phase3', '0']
      ]
    ])
  })

  it('reports each failing outcome as a failure of that type, with the reason', () => {
    const cases = suites[1]?.testcase ?? []
    expect(cases.map(c => [c.failure?.type, c.failure?.message])).toEqual([
      ['failed', 'Data Studio reported FAILED in step \'Load\': source <crm> & "leads" missing'],
      ['timed-out', 'still RUNNING after max-duration 1m; job job-wf3 cancelled in Data Studio'],
      [
        'too-fast',
        'completed in 500ms, sooner than min-duration 1m: check that its sources were not empty'
      ],
      ['cancelled', 'cancelled in Data Studio'],
      ['failed', 'Data Studio has no workflow wf6 in this environment (404)']
    ])
  })

  it('puts the reason, the job, the state, the limits and the steps in the failure text', () => {
    const [wf2, wf3, , , wf6] = suites[1]?.testcase ?? []
    expect(wf2?.failure?.['#text']).toBe(
      'Data Studio reported FAILED in step \'Load\': source <crm> & "leads" missing\n' +
        'Data Studio job job-wf2.\n' +
        'Outcome: failed; last state FAILED.\n' +
        'Duration: 7.0s.\n' +
        'Steps:\n' +
        '  Load: FAILED'
    )
    expect(wf3?.failure?.['#text']).toContain('Duration: 1m 6s (max-duration 1m).')
    expect(wf6?.failure?.['#text']).toContain('No Data Studio job was started.')
    expect(wf2?.failure?.['#text']).not.toContain('may still be running')
  })

  it('warns when the job may still be running in Data Studio', () => {
    const lost = runOf([
      {
        phase: 1,
        skipped: undefined,
        workflows: [wf(1, 'wf1', 'timed-out', { stillRunning: true })]
      }
    ])
    expect(
      parse(renderJUnit(lost)).testsuites.testsuite[0]?.testcase[0]?.failure?.['#text']
    ).toContain(
      'Data Studio job job-wf1.\nThe job may still be running in Data Studio: check it there.\n'
    )
  })

  it('reports a successful workflow with its job and steps as system-out, without a failure', () => {
    const wf1 = suites[0]?.testcase[0]
    expect(wf1?.failure).toBeUndefined()
    expect(wf1?.skipped).toBeUndefined()
    expect(wf1?.['system-out']).toBe(
      'Data Studio job job-wf1.\n' +
        'Outcome: success; last state COMPLETED.\n' +
        'Duration: 12.3s (max-duration 10m).\n' +
        'Steps:\n' +
        '  Load customers: COMPLETED, rowCount 120,000\n' +
        '  Validate addresses: COMPLETED, rowCount 120,000, failedRowCount 312'
    )
  })

  it('reports a skipped workflow as skipped, with the reason', () => {
    expect(suites[2]?.testcase.map(c => c.skipped?.message)).toEqual([
      'not started: phase 2 failed (wf2, wf3, wf4, wf5, wf6) and fail-fast is on',
      'not started: phase 2 failed'
    ])
    expect(suites[2]?.testcase.map(c => c.failure)).toEqual([undefined, undefined])
  })

  it('lists the phase, why it was skipped and each job id as properties', () => {
    expect(suites.map(s => s.properties.property.map(p => [p.name, p.value]))).toEqual([
      [
        ['phase', '1'],
        ['jobId.wf1', 'job-wf1']
      ],
      [
        ['phase', '2'],
        ['jobId.wf2', 'job-wf2'],
        ['jobId.wf3', 'job-wf3'],
        ['jobId.wf4', 'job-wf4'],
        ['jobId.wf5', 'job-wf5']
      ],
      [
        ['phase', '3'],
        ['skipped', 'phase 2 failed (wf2, wf3, wf4, wf5, wf6) and fail-fast is on']
      ]
    ])
  })

  it('keeps hostile text from servers and labels valid, and reads it back intact', async () => {
    const nasty = 'a<b>&"c"\'d\'\u0000\u0007\u001b[31m\uFFFE\uD800 end]]>'
    const multiline = 'first line\nsecond\tline\r\nthird'
    const hostile = runOf([
      {
        phase: 1,
        skipped: undefined,
        workflows: [
          wf(1, 'wf<&>"\'', 'failed', {
            jobId: 'id"&<',
            reason: `${nasty} ${multiline}`,
            steps: [{ name: 'Step <1> & "2"', state: 'FAILED', counters: { 'a&b': 1 } }]
          }),
          wf(1, '😀 emoji label', 'skipped', { reason: multiline })
        ]
      }
    ])
    const text = renderJUnit(hostile, { name: '<run> & "name"' })
    const result = await validate(text)
    expect(result.errors).toEqual([])
    expect(result.valid).toBe(true)
    const back = parse(text).testsuites
    expect(back.name).toBe('<run> & "name"')
    const [bad, skipped] = back.testsuite[0]?.testcase ?? []
    expect(bad?.name).toBe('wf<&>"\'')
    // Illegal characters are dropped; everything else, line breaks in attributes too, survives.
    const cleaned = `a<b>&"c"'d'[31m end]]> ${multiline}`
    expect(bad?.failure?.message).toBe(cleaned)
    expect(bad?.failure?.['#text']).toContain('Step <1> & "2": FAILED, a&b 1')
    expect(skipped?.name).toBe('😀 emoji label')
    expect(skipped?.skipped?.message).toBe(multiline)
    expect(back.testsuite[0]?.properties.property[1]).toEqual({
      name: 'jobId.wf<&>"\'',
      value: 'id"&<'
    })
  })

  it('renders an empty run as an empty, valid testsuites element', async () => {
    const empty = renderJUnit(runOf([]), {})
    expect((await validate(empty)).valid).toBe(true)
    expect(parse(empty).testsuites).toEqual(
      expect.objectContaining({ tests: '0', failures: '0', errors: '0' })
    )
  })

  it('fails validation for a document the schema forbids (the check is real)', async () => {
    const broken = xml.replace('<testsuite name="Phase 1" ', '<testsuite ')
    expect((await validate(broken)).valid).toBe(false)
  })
})

describe('xmlText and xmlAttribute', () => {
  it('escape the five predefined entities', () => {
    expect(xmlText(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;'
    )
    expect(xmlText('&amp;')).toBe('&amp;amp;')
  })

  it('strip characters XML 1.0 cannot carry, keeping tab, line breaks and astral characters', () => {
    expect(xmlText('a\u0000b\u0008c\u000bd\u000ce\u001ff\uFFFEg\uFFFFh')).toBe('abcdefgh')
    expect(xmlText('lone \uD800 high, lone \uDC00 low')).toBe('lone  high, lone  low')
    expect(xmlText('tab\tnl\ncr\r 😀 \uE000 \uFFFD')).toBe('tab\tnl\ncr\r 😀 \uE000 \uFFFD')
  })

  it('keep tabs and line breaks in attributes as character references', () => {
    expect(xmlAttribute('a\tb\nc\r\nd "e"')).toBe('a&#9;b&#10;c&#13;&#10;d &quot;e&quot;')
  })
})

describe('the schema the report is held to', () => {
  it('refuses a case without its time, or a suite without its counts', async () => {
    const noTime = renderJUnit(run).replace(/(<testcase [^>]*?) time="[^"]*"/, '$1')
    expect((await validate(noTime)).valid).toBe(false)
    const noCounts = renderJUnit(run).replace(/(<testsuite [^>]*?) failures="\d+"/, '$1')
    expect((await validate(noCounts)).valid).toBe(false)
  })
})
