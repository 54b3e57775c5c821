import { describe, expect, it } from '@jest/globals'
import { InputError } from '../src/errors.js'
import { detectPhaseFormat, parsePhaseList } from '../src/phases.js'

const PLAN = [['wf1'], ['wf2', 'wf3', 'wf4'], ['wf5', 'wf6'], ['wf7']]

const LINES = [
  '# nightly load',
  'wf1',
  '',
  'wf2, wf3, wf4   # run together',
  '   # the second half',
  'wf5,wf6',
  '',
  '  wf7  ',
  ''
].join('\n')
const JSON_FORM = '[["wf1"], ["wf2","wf3","wf4"], ["wf5","wf6"], ["wf7"]]'
const POWERSHELL = `@('wf1'), @('wf2','wf3','wf4'), @('wf5','wf6'), @('wf7')`

/** The message of the InputError that parsing `text` throws. */
function errorOf(text: string): string {
  try {
    parsePhaseList(text)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as Error).message
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`)
}

describe('parsePhaseList: the three formats give the same plan', () => {
  it.each([
    ['lines with blank lines and # comments', LINES, 'lines'],
    ['JSON', JSON_FORM, 'json'],
    [
      'JSON on several lines after a comment',
      `# plan\n[\n  ["wf1"],\n  [" wf2 ", "wf3", "wf4"],\n  ["wf5", "wf6"],\n  ["wf7"]\n]`,
      'json'
    ],
    ['PowerShell', POWERSHELL, 'powershell'],
    [
      'PowerShell with double quotes',
      `@("wf1"), @("wf2", "wf3", "wf4"), @("wf5","wf6"), @("wf7")`,
      'powershell'
    ],
    [
      'PowerShell with mixed quotes and spaces',
      `@( 'wf1' ),@("wf2" , 'wf3','wf4'),  @('wf5',"wf6"), @('wf7')`,
      'powershell'
    ],
    ['PowerShell with the -phasesWorkflows flag', `-phasesWorkflows ${POWERSHELL}`, 'powershell'],
    ['PowerShell with an outer @( … )', `@(${POWERSHELL})`, 'powershell'],
    [
      'PowerShell with the flag and an outer @( … )',
      `-phasesWorkflows @( ${POWERSHELL} )`,
      'powershell'
    ],
    [
      'PowerShell over several lines',
      `# from the old script\n@('wf1'),\n  @('wf2','wf3','wf4'),\n  @('wf5','wf6'),\n  @('wf7')\n`,
      'powershell'
    ]
  ])('%s', (_name, text, format) => {
    expect(detectPhaseFormat(text)).toBe(format)
    expect(parsePhaseList(text)).toEqual(PLAN)
  })

  it.each([
    ['lines', LINES],
    ['JSON', `# plan\n[\n  ["wf1"],\n  ["wf2","wf3","wf4"],\n  ["wf5","wf6"],\n  ["wf7"]\n]\n`],
    ['PowerShell', `# plan\n@('wf1'),\n@('wf2','wf3','wf4'),\n@('wf5','wf6'),\n@('wf7')\n`]
  ])('%s with CRLF line endings', (_name, text) => {
    const crlf = text.replace(/\n/g, '\r\n')
    expect(crlf).toContain('\r\n')
    const plan = parsePhaseList(crlf)
    expect(plan).toEqual(PLAN)
    expect(plan.flat().some(label => /\s/.test(label))).toBe(false)
  })

  it.each([
    ['lines', 'wf1\nwf2, wf1\nwf1', [['wf1'], ['wf2', 'wf1'], ['wf1']]],
    ['JSON', '[["wf1"], ["wf2", "wf1"], ["wf1"]]', [['wf1'], ['wf2', 'wf1'], ['wf1']]],
    ['PowerShell', `@('wf1'), @('wf2','wf1'), @('wf1')`, [['wf1'], ['wf2', 'wf1'], ['wf1']]]
  ])('%s: a label may repeat in different phases', (_name, text, plan) => {
    expect(parsePhaseList(text)).toEqual(plan)
  })

  it('lines: a # inside a label is not a comment, one after white space is', () => {
    expect(parsePhaseList('wf#1, wf2 # not wf3')).toEqual([['wf#1', 'wf2']])
  })
})

describe('parsePhaseList: errors name the input and say what is expected', () => {
  it.each([
    ['lines: empty text', ''],
    ['lines: only blank lines and comments', '\n   \n# nothing yet\n\n'],
    ['JSON: an empty array', '[]'],
    ['JSON: an empty array after a comment', '# none\n[ ]']
  ])('%s → no workflows', (_name, text) => {
    const message = errorOf(text)
    expect(message).toMatch(/^Input 'phases'/)
    expect(message).toContain('no workflows')
    expect(message).toContain('expected one phase per line')
  })

  it('PowerShell: the flag with no groups is rejected as not a group', () => {
    const message = errorOf('-phasesWorkflows')
    expect(message).toMatch(/^Input 'phases'/)
    expect(message).toContain(`is not a group @('label', ...)`)
    expect(message).toContain('expected')
  })

  it.each([
    ['JSON', '[["wf1"], [], ["wf2"]]', 2],
    ['JSON: the only phase', '[[]]', 1],
    ['PowerShell', `@('wf1'), @(), @('wf2')`, 2],
    ['PowerShell: white space only', `@('wf1'), @(  )`, 2],
    ['PowerShell with the flag: the only phase', '-phasesWorkflows @()', 1]
  ])('%s: empty phase → error naming the phase', (_name, text, phase) => {
    const message = errorOf(text)
    expect(message).toMatch(/^Input 'phases'/)
    expect(message).toContain(`phase ${phase} is empty`)
    expect(message).toContain('every phase needs a workflow')
  })

  it('lines: a blank line is not an empty phase (it is ignored)', () => {
    expect(parsePhaseList('wf1\n\n\nwf2')).toEqual([['wf1'], ['wf2']])
  })

  // In the lines format a phase cannot be empty without also having an empty label.
  const EMPTY_LABELS: [string, string, number, string][] = [
    ['lines: two commas', 'wf0\nwf1,,wf2', 2, `'wf1, , wf2'`],
    ['lines: a trailing comma', 'wf1,', 1, `'wf1, '`],
    ['lines: a lone comma', 'wf1\n ,', 2, `', '`],
    ['JSON: an empty string', '[["wf1",""]]', 1, `'wf1, '`],
    ['JSON: a blank string', '[["wf1"], ["  ", "wf2"]]', 2, `', wf2'`],
    ['PowerShell: single quotes', `@('')`, 1, `''`],
    ['PowerShell: double quotes, blank', `@('wf1'), @('wf2', "  ")`, 2, `'wf2, '`]
  ]

  it.each(EMPTY_LABELS)(
    '%s: empty label → error quoting the phase',
    (_name, text, phase, quoted) => {
      const message = errorOf(text)
      expect(message).toMatch(/^Input 'phases'/)
      expect(message).toContain(`phase ${phase} has an empty workflow label`)
      expect(message).toContain(quoted)
    }
  )

  it.each(EMPTY_LABELS)('%s: the empty-label error says what is expected', (_name, text) => {
    expect(errorOf(text)).toMatch(/expected|must|needs|every label/i)
  })

  it.each([
    ['lines', 'wf1\nwf2, wf3, wf2', 2],
    ['lines: spaces do not make a label different', 'wf1 ,  wf1', 1],
    ['JSON', '[["wf1"], ["wf2", "wf2"]]', 2],
    ['JSON: after trimming', '[["wf1", " wf1 "]]', 1],
    ['PowerShell', `@('wf1', 'wf1')`, 1],
    ['PowerShell: different quotes, same label', `@('wf0'), @('wf1', "wf1")`, 2]
  ])('%s: duplicate label in one phase → error', (_name, text, phase) => {
    const message = errorOf(text)
    expect(message).toMatch(/^Input 'phases'/)
    expect(message).toContain(`phase ${phase} lists 'wf`)
    expect(message).toContain('twice')
    expect(message).toContain('a workflow runs once per phase')
  })

  it.each([
    ['unclosed array', '[["wf1"], ["wf2"]'],
    ['single quotes', `[['wf1']]`],
    ['trailing comma', '[["wf1"],]']
  ])('JSON: malformed (%s) → error', (_name, text) => {
    const message = errorOf(text)
    expect(message).toMatch(/^Input 'phases' looks like JSON but does not parse/)
    expect(message).toContain('expected one phase per line')
    expect(message).toContain('a JSON array of arrays')
  })

  it.each([
    ['an array of strings', '["wf1", "wf2"]', 1, `'"wf1"'`],
    ['a number label', '[["wf1"], [1]]', 2, `'[1]'`],
    ['a null label', '[[null]]', 1, `'[null]'`],
    ['a nested array', '[["wf1", ["wf2"]]]', 1, `'["wf1",["wf2"]]'`],
    ['an object phase', '[{"wf1": true}]', 1, `'{"wf1":true}'`]
  ])('JSON: not an array of arrays of strings (%s) → error', (_name, text, phase, quoted) => {
    const message = errorOf(text)
    expect(message).toMatch(/^Input 'phases'/)
    expect(message).toContain(`phase ${phase} is ${quoted}`)
    expect(message).toContain('each phase must be an array of workflow labels (strings)')
  })

  it.each([
    ['text between groups', `@('wf1') then @('wf2')`, `'then'`],
    ['a missing comma', `@('wf1') @('wf2')`, 'no comma'],
    ['two commas', `@('wf1'),, @('wf2')`, `',,'`],
    ['a semicolon', `@('wf1'); @('wf2')`, `';'`],
    ['a stray word after the flag', `-phasesWorkflows -Verbose @('wf1')`, `'-Verbose'`]
  ])('PowerShell: garbage between groups (%s) → error', (_name, text, quoted) => {
    const message = errorOf(text)
    expect(message).toMatch(/^Input 'phases'/)
    expect(message).toContain(`has ${quoted} between PowerShell groups`)
    expect(message).toContain('separate groups with commas')
  })

  it.each([
    ['trailing text', `@('wf1'), @('wf2') extra`, `'extra'`],
    ['a trailing comma', `@('wf1'), @('wf2'),`, `','`],
    ['an unclosed group', `@('wf1'), @('wf2'`, `', @('wf2''`]
  ])('PowerShell: text after the last group (%s) → error', (_name, text, quoted) => {
    const message = errorOf(text)
    expect(message).toMatch(/^Input 'phases' starts like the PowerShell form/)
    expect(message).toContain(`but ${quoted} is not a group`)
    expect(message).toContain('expected one phase per line')
  })

  it.each([
    ['an unquoted label', '@(wf1)', 1, `'wf1'`],
    ['one unquoted among quoted', `@('wf1'), @('wf2', wf3)`, 2, `'wf3'`],
    ['mismatched quotes', `@('wf1")`, 1, `''wf1"'`],
    ['a trailing comma inside a group', `@('wf1',)`, 1, `''`],
    ['a bare variable', `@($wf1)`, 1, `'$wf1'`]
  ])('PowerShell: %s → error', (_name, text, phase, quoted) => {
    const message = errorOf(text)
    expect(message).toMatch(/^Input 'phases'/)
    expect(message).toContain(`phase ${phase} has ${quoted}, which is not a quoted label`)
    expect(message).toContain(`such as 'wf1'`)
  })

  it('uses the given input name in its messages', () => {
    expect(() => parsePhaseList('[]', 'workflows')).toThrow(/^Input 'workflows' has no workflows/)
  })
})
