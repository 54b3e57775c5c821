/** The CLI's flags and environment variables, parsed without a process. */
import { describe, expect, it } from '@jest/globals'
import {
  BOOLEAN_INPUTS,
  CLI_FLAG_HELP,
  CliFlags,
  envName,
  groupHeading,
  helpText,
  INPUT_HELP,
  INPUT_NAMES,
  parseCliArgs,
  stopSignals,
  timestamp,
  UsageError,
  type CliArgs,
  type RunArgs
} from '../src/cli-args.js'
import { Defaults, Inputs } from '../src/inputs.js'

function run(argv: string[], env: Record<string, string> = {}): RunArgs {
  const args: CliArgs = parseCliArgs(argv, env)
  if (args.kind !== 'run') throw new Error(`expected a run, got ${args.kind}`)
  return args
}

function usageError(argv: string[], env: Record<string, string> = {}): string {
  try {
    parseCliArgs(argv, env)
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return (error as Error).message
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(argv)}`)
}

describe('the description table', () => {
  it('describes every input in Inputs, and nothing else', () => {
    expect(Object.keys(INPUT_HELP).sort()).toEqual(Object.values(Inputs).sort())
    expect(INPUT_NAMES).toEqual(Object.values(Inputs))
    for (const name of INPUT_NAMES) {
      expect(INPUT_HELP[name].description.length).toBeGreaterThan(10)
    }
  })

  it('gives a value placeholder to exactly the inputs that are not true/false', () => {
    for (const name of INPUT_NAMES) {
      expect([name, INPUT_HELP[name].value === undefined]).toEqual([name, BOOLEAN_INPUTS.has(name)])
    }
    // The booleans are the inputs whose default is true or false.
    const booleanDefaults = Object.entries(Defaults)
      .filter(([, value]) => value === 'true' || value === 'false')
      .map(([name]) => name)
    expect([...BOOLEAN_INPUTS].sort()).toEqual(booleanDefaults.sort())
  })

  it('describes every CLI flag', () => {
    expect(Object.keys(CLI_FLAG_HELP).sort()).toEqual(Object.values(CliFlags).sort())
  })
})

describe('--help', () => {
  it('lists every input as a flag with its variable and its default', () => {
    const help = helpText('9.9.9')
    expect(help).toContain('datastudio-run 9.9.9')
    for (const name of INPUT_NAMES) {
      expect(help).toContain(`--${name}`)
      expect(help).toContain(`[${envName(name)}]`)
    }
    for (const flag of Object.values(CliFlags)) expect(help).toContain(`--${flag}`)
    expect(help).toContain('Default: 10s.')
    expect(help).toContain('Turn off with --no-fail-fast.')
    for (const code of ['0 ', '1 ', '2 ', '3 ', '130 ']) expect(help).toContain(`  ${code}`)
    // Fits an 100-column terminal.
    for (const line of help.split('\n')) expect(line.length).toBeLessThanOrEqual(100)
  })

  it('is asked for with --help, -h, anywhere on the line', () => {
    expect(parseCliArgs(['--help']).kind).toBe('help')
    expect(parseCliArgs(['-h']).kind).toBe('help')
    expect(parseCliArgs(['--phases', 'wf1', '--help']).kind).toBe('help')
  })
})

describe('--version', () => {
  it('alone prints the version; with a value it is the input version', () => {
    expect(parseCliArgs(['--version']).kind).toBe('version')
    expect(parseCliArgs(['-v']).kind).toBe('version')
    expect(parseCliArgs(['--phases', 'wf1', '--version']).kind).toBe('version')
    expect(parseCliArgs(['--version', '--phases', 'wf1']).kind).toBe('version')
    expect(run(['--version', 'draft']).inputs.version).toBe('draft')
    expect(run(['--version=published']).inputs.version).toBe('published')
    expect(run([], { DATASTUDIO_VERSION: 'draft' }).inputs.version).toBe('draft')
  })
})

describe('flags', () => {
  it('every input is a --kebab-case flag, as --name value and as --name=value', () => {
    for (const name of INPUT_NAMES) {
      const value = BOOLEAN_INPUTS.has(name) ? 'true' : `value of ${name}`
      const spaced = BOOLEAN_INPUTS.has(name) ? [`--${name}`] : [`--${name}`, value]
      expect(run(spaced).inputs[name]).toBe(value)
      expect(run([`--${name}=${value}`]).inputs[name]).toBe(value)
    }
  })

  it('reads a typical command line', () => {
    const args = run([
      '--server-url',
      'https://ds.example.com:7701',
      '--phases',
      'wf1, wf2',
      '--max-duration=30m',
      '--no-fail-fast',
      '--summary-file',
      'out/summary.md',
      '--output-file=out/outputs.json',
      '--timestamps'
    ])
    expect(args.inputs).toMatchObject({
      'server-url': 'https://ds.example.com:7701',
      phases: 'wf1, wf2',
      'max-duration': '30m',
      'fail-fast': 'false',
      'api-key': '',
      plan: ''
    })
    expect(args.summaryFile).toBe('out/summary.md')
    expect(args.outputFile).toBe('out/outputs.json')
    expect(args.timestamps).toBe(true)
    expect(args.debug).toBe(false)
    expect(args.warnings).toEqual([])
  })

  it('keeps = signs after the first one in the value', () => {
    expect(run(['--parameters={"a": "x=y"}']).inputs.parameters).toBe('{"a": "x=y"}')
    expect(run(['--phases=']).inputs.phases).toBe('')
  })

  it('gives an input every input not given as empty, so the engine applies its default', () => {
    const args = run([])
    for (const name of INPUT_NAMES) expect(args.inputs[name]).toBe('')
    expect(args.summaryFile).toBeUndefined()
    expect(args.outputFile).toBeUndefined()
  })

  it('the last of a repeated flag wins', () => {
    expect(run(['--tenancy', '1', '--tenancy', '2']).inputs.tenancy).toBe('2')
  })

  it('reads booleans as --x, --no-x, --x=false, --x false', () => {
    expect(run(['--fail-fast']).inputs['fail-fast']).toBe('true')
    expect(run(['--no-fail-fast']).inputs['fail-fast']).toBe('false')
    expect(run(['--fail-fast=false']).inputs['fail-fast']).toBe('false')
    expect(run(['--fail-fast=TRUE']).inputs['fail-fast']).toBe('true')
    expect(run(['--fail-fast', 'false', '--dry-run']).inputs).toMatchObject({
      'fail-fast': 'false',
      'dry-run': 'true'
    })
    expect(run(['--no-debug', '--timestamps=false']).debug).toBe(false)
    expect(run(['--debug']).debug).toBe(true)
    for (const name of BOOLEAN_INPUTS) {
      expect(run([`--no-${name}`]).inputs[name as keyof RunArgs['inputs']]).toBe('false')
    }
  })

  it('refuses a boolean with another value, and --no-x with a value', () => {
    expect(usageError(['--dry-run=yes'])).toBe("--dry-run is 'yes': expected true or false.")
    expect(usageError(['--no-dry-run=true'])).toContain('--no-dry-run takes no value')
    expect(usageError(['--dry-run', 'yes'])).toContain("Unexpected argument 'yes'")
  })

  it('refuses --no- on a flag that takes a value', () => {
    expect(usageError(['--no-phases'])).toContain('only true/false flags can be negated')
  })

  it('refuses a flag without its value', () => {
    expect(usageError(['--server-url'])).toBe('--server-url needs a value: --server-url <url>.')
    expect(usageError(['--phases', '--dry-run'])).toBe('--phases needs a value: --phases <list>.')
    expect(usageError(['--summary-file'])).toContain('--summary-file <path>')
  })

  it('refuses an unknown flag, naming it and the nearest known one', () => {
    expect(usageError(['--sever-url', 'x'])).toBe(
      "Unknown flag '--sever-url'. Did you mean --server-url? See --help for the flags."
    )
    expect(usageError(['--max-duraton=1m'])).toContain('Did you mean --max-duration?')
    expect(usageError(['--api_key', 'k'])).toContain('Did you mean --api-key?')
    expect(usageError(['--no-failfast'])).toContain('Did you mean --fail-fast?')
    expect(usageError(['--summary', 'x'])).toContain('Did you mean --summary-file?')
    expect(usageError(['--frobnicate'])).toBe(
      "Unknown flag '--frobnicate'. See --help for the flags."
    )
    expect(usageError(['-x'])).toContain("Unknown flag '-x'")
  })

  it('refuses a stray argument, and --', () => {
    expect(usageError(['wf1'])).toContain("Unexpected argument 'wf1'")
    expect(usageError(['--'])).toContain("Unknown flag '--'")
  })
})

describe('the API key', () => {
  it('on the command line is accepted, with a warning to use the variable', () => {
    const args = run(['--api-key', 'sekrit'])
    expect(args.inputs['api-key']).toBe('sekrit')
    expect(args.warnings).toHaveLength(1)
    expect(args.warnings[0]).toContain('process lists')
    expect(args.warnings[0]).toContain('shell history')
    expect(args.warnings[0]).toContain('DATASTUDIO_API_KEY')
    expect(args.warnings[0]).not.toContain('sekrit')
  })

  it('from DATASTUDIO_API_KEY draws no warning', () => {
    const args = run([], { DATASTUDIO_API_KEY: 'sekrit' })
    expect(args.inputs['api-key']).toBe('sekrit')
    expect(args.warnings).toEqual([])
  })
})

describe('environment variables', () => {
  it('every input is DATASTUDIO_<NAME> in upper snake case', () => {
    expect(envName('server-url')).toBe('DATASTUDIO_SERVER_URL')
    expect(envName('insecure-skip-tls-verify')).toBe('DATASTUDIO_INSECURE_SKIP_TLS_VERIFY')
    for (const name of INPUT_NAMES) {
      expect(run([], { [envName(name)]: `from env ${name}` }).inputs[name]).toBe(`from env ${name}`)
    }
  })

  it('a flag wins over the variable', () => {
    const env = {
      DATASTUDIO_SERVER_URL: 'https://env.example.com',
      DATASTUDIO_PHASES: 'env_wf',
      DATASTUDIO_FAIL_FAST: 'true',
      DATASTUDIO_SUMMARY_FILE: 'env.md'
    }
    const args = run(
      ['--server-url=https://flag.example.com', '--no-fail-fast', '--summary-file', 'flag.md'],
      env
    )
    expect(args.inputs['server-url']).toBe('https://flag.example.com')
    expect(args.inputs['fail-fast']).toBe('false')
    expect(args.inputs.phases).toBe('env_wf')
    expect(args.summaryFile).toBe('flag.md')
  })

  it('reads the CLI flags from the environment too', () => {
    const args = run([], {
      DATASTUDIO_SUMMARY_FILE: 'C:\\logs\\summary.md',
      DATASTUDIO_OUTPUT_FILE: '/var/log/ds.json',
      DATASTUDIO_DEBUG: 'true',
      DATASTUDIO_TIMESTAMPS: 'TRUE'
    })
    expect(args.summaryFile).toBe('C:\\logs\\summary.md')
    expect(args.outputFile).toBe('/var/log/ds.json')
    expect(args.debug).toBe(true)
    expect(args.timestamps).toBe(true)
    expect(usageError([], { DATASTUDIO_DEBUG: 'yes' })).toBe(
      "DATASTUDIO_DEBUG is 'yes': expected true or false."
    )
  })

  it('is CRLF-safe: a stray \\r from a Windows env file is dropped, CRLF reads as LF', () => {
    const args = run(['--phases', 'wf1\r\nwf2, wf3'], {
      DATASTUDIO_SERVER_URL: 'https://ds.example.com\r',
      DATASTUDIO_API_KEY: 'key\r\n',
      DATASTUDIO_DEBUG: 'true\r',
      DATASTUDIO_PLAN: '- [a]\r\n- [b]\r\n'
    })
    expect(args.inputs['server-url']).toBe('https://ds.example.com')
    expect(args.inputs['api-key']).toBe('key')
    expect(args.inputs.phases).toBe('wf1\nwf2, wf3')
    expect(args.inputs.plan).toBe('- [a]\n- [b]')
    expect(args.debug).toBe(true)
  })

  it('an empty variable counts as not given', () => {
    const args = run([], { DATASTUDIO_PHASES: '', DATASTUDIO_SUMMARY_FILE: ' ' })
    expect(args.inputs.phases).toBe('')
    expect(args.summaryFile).toBeUndefined()
  })

  it('warns about a DATASTUDIO_ variable it does not read, with the nearest one', () => {
    const args = run([], { DATASTUDIO_SERVER_ULR: 'x', DATASTUDIO_ZZZ: 'y', OTHER: 'z' })
    expect(args.warnings).toEqual([
      'The environment variable DATASTUDIO_SERVER_ULR is not one this tool reads; did you mean DATASTUDIO_SERVER_URL? It is ignored.',
      'The environment variable DATASTUDIO_ZZZ is not one this tool reads; it is ignored.'
    ])
  })
})

describe('the terminal', () => {
  it('listens to the stop signals the platform has', () => {
    expect(stopSignals('win32')).toEqual(['SIGINT', 'SIGBREAK'])
    expect(stopSignals('linux')).toEqual(['SIGINT', 'SIGTERM'])
    expect(stopSignals('darwin')).toEqual(['SIGINT', 'SIGTERM'])
  })

  it('stamps a line with the local time', () => {
    expect(timestamp(new Date(2026, 11, 4, 10, 0, 1))).toBe('[2026-12-04 10:00:01] ')
    expect(timestamp(new Date(2026, 0, 9, 7, 5, 9))).toBe('[2026-01-09 07:05:09] ')
  })

  it('heads a phase with a plain line instead of a workflow command', () => {
    expect(groupHeading('Phase 2 of 4: wf2, wf3')).toBe('── Phase 2 of 4: wf2, wf3 ──')
  })
})
