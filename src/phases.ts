/**
 * The phase list: which workflows run, grouped into phases that run one after another, the
 * workflows of a phase in parallel. Three spellings are accepted and give the same plan:
 *
 *   lines      one phase per line, labels separated by commas; blank lines and # comments ignored
 *   JSON       [["wf1"], ["wf2", "wf3"]]
 *   PowerShell the vendor script's -phasesWorkflows argument: @('wf1'), @('wf2','wf3')
 */
import { InputError, quote } from './errors.js'

export type PhaseList = string[][]
export type PhaseFormat = 'lines' | 'json' | 'powershell'

const FORMS =
  'one phase per line with comma-separated workflow labels, a JSON array of arrays such as ' +
  `[["wf1"], ["wf2", "wf3"]], or the PowerShell form @('wf1'), @('wf2','wf3')`

/** The vendor script's parameter name, accepted in front of its value when pasted with it. */
const POWERSHELL_FLAG = /^-phasesWorkflows\b/i

export function detectPhaseFormat(text: string): PhaseFormat {
  const start = stripComments(text).trimStart()
  if (start.startsWith('[')) return 'json'
  if (start.startsWith('@(') || POWERSHELL_FLAG.test(start)) return 'powershell'
  return 'lines'
}

/** Parses and validates a phase list; every error names the input and what is expected. */
export function parsePhaseList(text: string, input = 'phases'): PhaseList {
  const format = detectPhaseFormat(text)
  const phases =
    format === 'json'
      ? parseJson(text, input)
      : format === 'powershell'
        ? parsePowerShell(text, input)
        : parseLines(text)
  validatePhases(phases, input)
  return phases
}

/** Rules shared by every format: at least one phase, no empty phase or label, no repeats. */
function validatePhases(phases: PhaseList, input = 'phases'): void {
  if (phases.length === 0) {
    throw new InputError(`Input '${input}' has no workflows: expected ${FORMS}.`)
  }
  for (const [index, phase] of phases.entries()) {
    const name = `phase ${index + 1}`
    if (phase.length === 0) {
      throw new InputError(`Input '${input}': ${name} is empty; every phase needs a workflow.`)
    }
    const seen = new Set<string>()
    for (const label of phase) {
      if (label === '') {
        throw new InputError(
          `Input '${input}': ${name} has an empty workflow label (${quote(phase.join(', '))}); ` +
            'every label must be a workflow external label (check for a doubled or trailing comma).'
        )
      }
      if (seen.has(label)) {
        throw new InputError(
          `Input '${input}': ${name} lists ${quote(label)} twice; a workflow runs once per phase.`
        )
      }
      seen.add(label)
    }
  }
}

function stripComments(text: string): string {
  return text
    .split(/\r?\n/)
    .filter(line => !line.trim().startsWith('#'))
    .join('\n')
}

function parseLines(text: string): PhaseList {
  return text
    .split(/\r?\n/)
    .map(line => line.replace(/(^|\s)#.*$/, '').trim())
    .filter(line => line !== '')
    .map(line => line.split(',').map(label => label.trim()))
}

function parseJson(text: string, input: string): PhaseList {
  let value: unknown
  try {
    value = JSON.parse(stripComments(text))
  } catch (error) {
    throw new InputError(
      `Input '${input}' looks like JSON but does not parse (${(error as Error).message}): expected ${FORMS}.`
    )
  }
  if (!Array.isArray(value)) {
    throw new InputError(`Input '${input}' must be a JSON array of phases: expected ${FORMS}.`)
  }
  return value.map((phase: unknown, index) => {
    if (!Array.isArray(phase) || !phase.every(label => typeof label === 'string')) {
      throw new InputError(
        `Input '${input}': phase ${index + 1} is ${quote(JSON.stringify(phase))}; ` +
          'each phase must be an array of workflow labels (strings).'
      )
    }
    return phase.map(label => label.trim())
  })
}

/**
 * The vendor's `@('wf1'), @('wf2','wf3')`. Labels are quoted with ' or " (PowerShell allows both);
 * anything between the groups other than commas and white space is an error, not silently dropped.
 */
function parsePowerShell(text: string, input: string): PhaseList {
  let source = stripComments(text).trim().replace(POWERSHELL_FLAG, '').trim()
  // An outer array, @(@('wf1'), @('wf2')), is the same list written out in full.
  const outer = /^@\(\s*(@\([\s\S]*\))\s*\)$/.exec(source)
  if (outer !== null) source = outer[1] as string
  const phases: PhaseList = []
  const group = /@\(([^()]*)\)/g
  let last = 0
  for (const match of source.matchAll(group)) {
    assertOnlySeparators(source.slice(last, match.index), input, phases.length === 0)
    phases.push(parsePowerShellLabels(match[1] as string, input, phases.length + 1))
    last = (match.index ?? 0) + match[0].length
  }
  if (phases.length === 0 || source.slice(last).trim() !== '') {
    throw new InputError(
      `Input '${input}' starts like the PowerShell form but ${quote(source.slice(last).trim() || source)} ` +
        `is not a group @('label', ...): expected ${FORMS}.`
    )
  }
  return phases
}

function assertOnlySeparators(between: string, input: string, first: boolean): void {
  const expected = first ? /^\s*$/ : /^\s*,\s*$/
  if (!expected.test(between)) {
    const found = between.trim() === '' ? 'no comma' : quote(between.trim())
    throw new InputError(
      `Input '${input}' has ${found} between PowerShell groups: ` +
        `separate groups with commas, as in @('wf1'), @('wf2','wf3').`
    )
  }
}

function parsePowerShellLabels(inner: string, input: string, phase: number): string[] {
  if (inner.trim() === '') return []
  return inner.split(',').map(item => {
    const match = /^\s*(['"])(.*)\1\s*$/.exec(item)
    if (match === null) {
      throw new InputError(
        `Input '${input}': phase ${phase} has ${quote(item.trim())}, which is not a quoted label ` +
          `such as 'wf1'.`
      )
    }
    return (match[2] as string).trim()
  })
}
