/**
 * The CLI's arguments and environment, parsed without touching the process: every action input
 * is a `--kebab-case` flag and a `DATASTUDIO_<NAME>` variable (a flag wins), plus a few flags of
 * the CLI's own. The help text is generated from the same tables, so it cannot drift from them.
 */
import { Defaults, Inputs } from './inputs.js'
import { suggest } from './planfile.js'

export type InputName = (typeof Inputs)[keyof typeof Inputs]

export interface FlagHelp {
  /** What the value is, in the help text (`--server-url <url>`); absent for a boolean. */
  value?: string
  description: string
}

/** One line of help per input, as action.yml says it; every input has one (a test checks). */
export const INPUT_HELP: Record<InputName, FlagHelp> = {
  [Inputs.ServerUrl]: {
    value: 'url',
    description:
      'Address of the Data Studio server with its scheme and no path, such as https://datastudio.example.com:7701 (http allowed). Required.'
  },
  [Inputs.ApiKey]: {
    value: 'key',
    description:
      'A Data Studio API key of the environment. Required. Prefer DATASTUDIO_API_KEY: a flag is visible in process lists and shell history.'
  },
  [Inputs.Environment]: {
    value: 'label',
    description: "The environment's external label (the first word of the Authorization header)."
  },
  [Inputs.Tenancy]: {
    value: 'id',
    description: 'Tenancy ID or label in the API root /api/{tenancy}/.'
  },
  [Inputs.RequestTimeout]: {
    value: 'duration',
    description: 'Limit for one HTTP request to Data Studio.'
  },
  [Inputs.CaCertificate]: {
    value: 'pem|path',
    description:
      "PEM text, or the path of a PEM file, of the CA that signed the server's certificate (added to the trusted roots)."
  },
  [Inputs.InsecureSkipTlsVerify]: {
    description: 'Accept any TLS certificate (with a warning). Prefer --ca-certificate.'
  },
  [Inputs.Phases]: {
    value: 'list',
    description:
      "The phase list: phases separated by line breaks, labels by commas (\"wf1\\nwf2, wf3\"), a JSON array of arrays, or the vendor script's @('wf1'), @('wf2','wf3') form. Give this or --plan."
  },
  [Inputs.Plan]: {
    value: 'path|yaml',
    description:
      'A plan file instead of --phases: the path of a YAML or JSON file, or the YAML itself, with per-workflow limits, parameters and step checks.'
  },
  [Inputs.MaxDuration]: {
    value: 'duration',
    description:
      'A workflow still running this long after it was accepted fails and its job is cancelled (30m, 1h30m, 90s, or seconds).'
  },
  [Inputs.MinDuration]: {
    value: 'duration',
    description:
      'A workflow that completes sooner than this fails ("significantly shorter than expected").'
  },
  [Inputs.Timeout]: {
    value: 'duration',
    description:
      'Deadline for the whole run; what is still running then fails and is cancelled, what has not started is skipped.'
  },
  [Inputs.PollInterval]: {
    value: 'duration',
    description:
      'The longest wait between two status checks of one job (checks start sub-second and grow towards this).'
  },
  [Inputs.MaxParallel]: {
    value: 'n',
    description: 'At most this many jobs of one phase at once; 0 means all of them.'
  },
  [Inputs.FailFast]: {
    description:
      'After a phase with a failure, start no later phase (they are reported as skipped).'
  },
  [Inputs.CancelOnFailure]: {
    description:
      'With fail-fast, a failure also cancels the rest of its phase in Data Studio instead of waiting for it.'
  },
  [Inputs.Version]: {
    value: 'published|draft',
    description:
      'published (the last published version of each workflow and its dependencies) or draft (the latest draft).'
  },
  [Inputs.RefreshSources]: {
    description: "Ask Data Studio to refresh the workflows' sources before running them."
  },
  [Inputs.Parameters]: {
    value: 'map',
    description:
      'JSON or YAML map of workflow parameter names to values, sent with every execution: {"region": "EMEA"}.'
  },
  [Inputs.Space]: {
    value: 'label',
    description: 'The external label of the Space holding the workflows, where Spaces are used.'
  },
  [Inputs.DryRun]: {
    description:
      'Pre-flight check: the inputs, the plan, the server and the key; print the resolved plan and execute nothing.'
  },
  [Inputs.JunitReport]: {
    value: 'path',
    description:
      'Write a JUnit XML report to this path (a test suite per phase, a test case per workflow).'
  }
}

/** The flags the CLI has and the action has not. */
export const CliFlags = {
  SummaryFile: 'summary-file',
  OutputFile: 'output-file',
  Timestamps: 'timestamps',
  Debug: 'debug',
  Help: 'help',
  Version: 'version'
} as const
export type CliFlagName = (typeof CliFlags)[keyof typeof CliFlags]

export const CLI_FLAG_HELP: Record<CliFlagName, FlagHelp> = {
  [CliFlags.SummaryFile]: {
    value: 'path',
    description: 'Write the Markdown job summary to this file. Without it, no summary is written.'
  },
  [CliFlags.OutputFile]: {
    value: 'path',
    description:
      'Write the outputs as JSON to this file: {result, failed-workflows, duration-seconds, results, exit-code, failure}.'
  },
  [CliFlags.Timestamps]: {
    description: 'Start every line with the local time, [2026-12-04 10:00:01].'
  },
  [CliFlags.Debug]: {
    description: 'Print debug lines too (to stderr).'
  },
  [CliFlags.Help]: { description: 'Print this help and exit.' },
  [CliFlags.Version]: { description: 'Print the version and exit.' }
}

/** `--version` is both a CLI flag and the action input `version`: the input wins the name. */
const VERSION_FLAG_ALIASES = ['-v', '-V']
const HELP_FLAG_ALIASES = ['-h', '-?']

/** Inputs that are true or false: `--x`, `--no-x`, `--x=false`. */
export const BOOLEAN_INPUTS: ReadonlySet<string> = new Set<string>([
  Inputs.InsecureSkipTlsVerify,
  Inputs.FailFast,
  Inputs.CancelOnFailure,
  Inputs.RefreshSources,
  Inputs.DryRun
])

const CLI_BOOLEANS: ReadonlySet<string> = new Set<string>([CliFlags.Timestamps, CliFlags.Debug])
/** CLI flags that take a value and may come from the environment too. */
const CLI_VALUES: ReadonlySet<string> = new Set<string>([CliFlags.SummaryFile, CliFlags.OutputFile])

export const ENV_PREFIX = 'DATASTUDIO_'

/** `server-url` → `DATASTUDIO_SERVER_URL`. */
export function envName(flag: string): string {
  return ENV_PREFIX + flag.replace(/-/g, '_').toUpperCase()
}

export const INPUT_NAMES: readonly InputName[] = Object.values(Inputs)

/** The `--version` input clashes with printing the version: see parseCliArgs. */
const VALUE_FLAGS: readonly string[] = [...INPUT_NAMES, ...CLI_VALUES, ...CLI_BOOLEANS]
/** Every flag name, for suggestions. */
const ALL_FLAGS: readonly string[] = [...VALUE_FLAGS, CliFlags.Help]

export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export interface RunArgs {
  kind: 'run'
  /** Every input's text, as the engine's InputReader returns it; '' when not given. */
  inputs: Record<InputName, string>
  summaryFile: string | undefined
  outputFile: string | undefined
  timestamps: boolean
  debug: boolean
  /** Said on stderr before the run: the key on the command line, unknown variables. */
  warnings: string[]
}

export type CliArgs = { kind: 'help' } | { kind: 'version' } | RunArgs

export type Env = Record<string, string | undefined>

/** CRLF (an env file saved on Windows, a pasted value) reads like LF. */
function normalise(value: string): string {
  return value.replace(/\r\n?/g, '\n')
}

/** Environment values: trailing white space (a stray \r from a CRLF env file) is dropped. */
function envValue(env: Env, flag: string): string | undefined {
  const raw = env[envName(flag)]
  if (raw === undefined) return undefined
  const value = normalise(raw).replace(/\s+$/, '')
  return value === '' ? undefined : value
}

function booleanText(flag: string, value: string): boolean {
  const v = value.trim().toLowerCase()
  if (v === 'true') return true
  if (v === 'false') return false
  throw new UsageError(`--${flag} is '${value}': expected true or false.`)
}

function unknownFlag(arg: string, name: string): UsageError {
  const guess = suggest(name.replace(/^no-/, ''), [...ALL_FLAGS])
  const hint = guess === undefined ? '' : ` Did you mean --${guess}?`
  return new UsageError(`Unknown flag '${arg}'.${hint} See --help for the flags.`)
}

/**
 * Parses `argv` (without node and the script) and the environment. Throws UsageError for an
 * unknown flag, a missing value or a stray argument; the inputs themselves are checked by the
 * engine, which names the input and the expected form.
 */
export function parseCliArgs(argv: readonly string[], env: Env = {}): CliArgs {
  const flags = new Map<string, string>()
  const warnings: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = normalise(argv[i] as string)
    if (HELP_FLAG_ALIASES.includes(arg)) return { kind: 'help' }
    if (VERSION_FLAG_ALIASES.includes(arg)) return { kind: 'version' }
    if (!arg.startsWith('--') || arg === '--') {
      throw new UsageError(
        arg.startsWith('-')
          ? `Unknown flag '${arg}'. Flags are written --name value or --name=value; see --help.`
          : `Unexpected argument '${arg}': every value belongs to a flag, such as --phases "${arg}". See --help.`
      )
    }
    const body = arg.slice(2)
    const eq = body.indexOf('=')
    const name = eq === -1 ? body : body.slice(0, eq)
    const inline = eq === -1 ? undefined : body.slice(eq + 1)
    if (name === CliFlags.Help) return { kind: 'help' }
    // `--version` alone prints the version; `--version draft` / `--version=draft` is the input.
    if (name === CliFlags.Version && inline === undefined) {
      const next = argv[i + 1]
      if (next === undefined || next.startsWith('-')) return { kind: 'version' }
    }
    const negated = name.startsWith('no-') ? name.slice(3) : undefined
    if (negated !== undefined && (BOOLEAN_INPUTS.has(negated) || CLI_BOOLEANS.has(negated))) {
      if (inline !== undefined) {
        throw new UsageError(`--${name} takes no value; write --${negated}=${inline} instead.`)
      }
      flags.set(negated, 'false')
      continue
    }
    if (negated !== undefined && VALUE_FLAGS.includes(negated)) {
      throw new UsageError(
        `--${name}: only true/false flags can be negated; --${negated} takes a value.`
      )
    }
    if (!VALUE_FLAGS.includes(name)) throw unknownFlag(arg, name)
    if (BOOLEAN_INPUTS.has(name) || CLI_BOOLEANS.has(name)) {
      let value = inline
      // `--fail-fast false` reads like `--fail-fast=false`; nothing else may follow a boolean.
      const next = argv[i + 1]
      if (value === undefined && next !== undefined && /^(?:true|false)$/i.test(next.trim())) {
        value = next.trim()
        i++
      }
      flags.set(name, value === undefined ? 'true' : String(booleanText(name, value)))
      continue
    }
    let value = inline
    if (value === undefined) {
      const next = argv[i + 1]
      if (next === undefined || next.startsWith('--')) {
        const what =
          INPUT_HELP[name as InputName]?.value ?? CLI_FLAG_HELP[name as CliFlagName]?.value
        throw new UsageError(`--${name} needs a value: --${name} <${what ?? 'value'}>.`)
      }
      value = normalise(next)
      i++
    }
    if (name === Inputs.ApiKey) {
      warnings.push(
        `--${Inputs.ApiKey} on the command line is visible to other users in process lists and is ` +
          `kept in shell history; set the environment variable ${envName(Inputs.ApiKey)} instead.`
      )
    }
    flags.set(name, value)
  }

  const known = new Set([...VALUE_FLAGS].map(envName))
  for (const variable of Object.keys(env)) {
    if (!variable.startsWith(ENV_PREFIX) || known.has(variable)) continue
    const flag = variable.slice(ENV_PREFIX.length).toLowerCase().replace(/_/g, '-')
    const guess = suggest(flag, [...VALUE_FLAGS])
    warnings.push(
      `The environment variable ${variable} is not one this tool reads` +
        (guess === undefined
          ? '; it is ignored.'
          : `; did you mean ${envName(guess)}? It is ignored.`)
    )
  }

  const valueOf = (flag: string): string | undefined => flags.get(flag) ?? envValue(env, flag)
  const inputs = Object.fromEntries(INPUT_NAMES.map(name => [name, valueOf(name) ?? ''])) as Record<
    InputName,
    string
  >
  const cliBoolean = (flag: string): boolean => {
    const value = valueOf(flag)
    if (value === undefined) return false
    try {
      return booleanText(flag, value)
    } catch {
      throw new UsageError(`${envName(flag)} is '${value}': expected true or false.`)
    }
  }
  const path = (flag: string): string | undefined => {
    const value = valueOf(flag)?.trim()
    return value === undefined || value === '' ? undefined : value
  }
  return {
    kind: 'run',
    inputs,
    summaryFile: path(CliFlags.SummaryFile),
    outputFile: path(CliFlags.OutputFile),
    timestamps: cliBoolean(CliFlags.Timestamps),
    debug: cliBoolean(CliFlags.Debug),
    warnings
  }
}

/** The signals that mean "stop" where the CLI runs: Ctrl+C everywhere, Ctrl+Break on Windows. */
export function stopSignals(platform: NodeJS.Platform): NodeJS.Signals[] {
  return platform === 'win32' ? ['SIGINT', 'SIGBREAK'] : ['SIGINT', 'SIGTERM']
}

/** `[2026-12-04 10:00:01] `, local time. */
export function timestamp(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0')
  return (
    `[${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ` +
    `${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}] `
  )
}

/** The heading a phase starts with in a terminal, where a runner would open a group. */
export function groupHeading(name: string): string {
  return `── ${name} ──`
}

export const CLI_NAME = 'datastudio-run'

const WIDTH = 100
const COLUMN = 34

function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line === '' ? word : `${line} ${word}`
    }
  }
  if (line !== '') lines.push(line)
  return lines
}

function helpEntry(flag: string, help: FlagHelp, extra: string[]): string {
  const head = `  --${flag}${help.value === undefined ? '' : ` <${help.value}>`}`
  const text = [help.description, ...extra].join(' ')
  const body = wrap(text, WIDTH - COLUMN)
  const first = head.length < COLUMN - 1 ? head.padEnd(COLUMN) + (body.shift() ?? '') : head
  const rest = body.map(line => ' '.repeat(COLUMN) + line)
  return [first, ...rest].join('\n')
}

function defaultNote(flag: string): string[] {
  const value = (Defaults as Record<string, string>)[flag]
  return value === undefined ? [] : [`Default: ${value}.`]
}

/** The `--help` text, generated from INPUT_HELP, CLI_FLAG_HELP and Defaults. */
export function helpText(version: string): string {
  const booleanNote = (flag: string): string[] =>
    (Defaults as Record<string, string>)[flag] === 'true' ? [`Turn off with --no-${flag}.`] : []
  const envNote = (flag: string): string[] => [`[${envName(flag)}]`]
  const inputs = INPUT_NAMES.map(flag =>
    helpEntry(flag, INPUT_HELP[flag], [
      ...defaultNote(flag),
      ...booleanNote(flag),
      ...envNote(flag)
    ])
  )
  const own = (Object.values(CliFlags) as CliFlagName[]).map(flag =>
    helpEntry(flag, CLI_FLAG_HELP[flag], [
      ...booleanNote(flag),
      ...(CLI_VALUES.has(flag) || CLI_BOOLEANS.has(flag) ? envNote(flag) : []),
      ...(flag === CliFlags.Help ? ['(-h)'] : []),
      ...(flag === CliFlags.Version ? ['(-v; --version <published|draft> is the input)'] : [])
    ])
  )
  return [
    `${CLI_NAME} ${version}: runs Aperture Data Studio workflows in phases, follows every job,`,
    'and exits non-zero when any workflow fails or runs longer (or shorter) than expected.',
    '',
    'Usage:',
    `  ${CLI_NAME} --server-url <url> --phases <list> [flags]     (key in ${envName(Inputs.ApiKey)})`,
    `  ${CLI_NAME} --server-url <url> --plan <path> [flags]`,
    '',
    'Every flag can also be set as the environment variable in brackets; a flag wins.',
    'Values: --name value or --name=value. Durations: 90s, 10m, 1h30m, 2h, 500ms or seconds.',
    '',
    'Inputs:',
    ...inputs,
    '',
    'The command line:',
    ...own,
    '',
    'Exit codes:',
    '  0    success (or a dry run that passed)',
    '  1    a workflow failed, timed out or ran too fast',
    '  2    bad input or configuration (nothing was executed)',
    '  3    could not reach or authenticate to the server',
    '  130  cancelled (Ctrl+C, SIGTERM, Ctrl+Break)',
    '',
    'Docs: docs/cli.md in the repository.'
  ].join('\n')
}
