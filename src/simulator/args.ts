/**
 * The simulator's command line, parsed by a pure function so it can be tested without starting
 * a process; `main.ts` is only the wrapper that acts on the result.
 */
import { DEFAULT_PORT } from '../contract.js'

export interface SimulatorRunArgs {
  help: false
  scenarioFile: string
  port: number
  host: string
  requestLogFile: string | undefined
  /** PEM files; both or neither. */
  tlsCertFile: string | undefined
  tlsKeyFile: string | undefined
}

export type SimulatorArgs = { help: true } | SimulatorRunArgs

/** A command line the simulator cannot act on; main prints it with the usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export const USAGE = `Usage: node dist/simulator/index.js --scenario <file> [options]

A local simulator of the Data Studio REST API, for rehearsing a phase plan offline.

Options:
  --scenario <file>     the scenario, YAML or JSON (required)
  --port <n>            port to listen on (default ${DEFAULT_PORT}; 0 picks a free port)
  --host <address>      address to listen on (default 127.0.0.1)
  --request-log <file>  append every request to this file as JSON lines
  --tls-cert <file>     serve HTTPS with this certificate (PEM); needs --tls-key
  --tls-key <file>      the certificate's private key (PEM)
  --help                show this text

The simulator also answers GET /_sim/log (the request log) and GET /_sim/stats (jobs and
concurrency) without authorization. See docs/simulator.md.`

const VALUE_FLAGS = [
  '--scenario',
  '--port',
  '--host',
  '--request-log',
  '--tls-cert',
  '--tls-key'
] as const
type ValueFlag = (typeof VALUE_FLAGS)[number]

function readPort(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) {
    throw new UsageError(`--port: expected a port number from 0 to 65535, got "${text}"`)
  }
  return Number(text)
}

/** Reads `process.argv.slice(2)`: `--flag value` or `--flag=value`. */
export function parseSimulatorArgs(argv: readonly string[]): SimulatorArgs {
  const values: Partial<Record<ValueFlag, string>> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--help' || arg === '-h') return { help: true }
    const eq = arg.indexOf('=')
    const flag = eq > 0 ? arg.slice(0, eq) : arg
    if (!(VALUE_FLAGS as readonly string[]).includes(flag)) {
      throw new UsageError(`unknown argument "${arg}"`)
    }
    let value: string | undefined
    if (eq > 0) value = arg.slice(eq + 1)
    else {
      value = argv[i + 1]
      i++
    }
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) {
      throw new UsageError(`${flag}: expected a value`)
    }
    values[flag as ValueFlag] = value
  }
  if (values['--scenario'] === undefined) throw new UsageError('--scenario <file> is required')
  if ((values['--tls-cert'] === undefined) !== (values['--tls-key'] === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together: give both or neither')
  }
  return {
    help: false,
    scenarioFile: values['--scenario'],
    port: values['--port'] === undefined ? DEFAULT_PORT : readPort(values['--port']),
    host: values['--host'] ?? '127.0.0.1',
    requestLogFile: values['--request-log'],
    tlsCertFile: values['--tls-cert'],
    tlsKeyFile: values['--tls-key']
  }
}

/** The one stdout line scripts and tests wait for. */
export function listeningLine(url: string): string {
  return `Data Studio simulator listening on ${url}`
}
