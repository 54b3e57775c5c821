/**
 * Input names, their defaults, and the readers of single values that every part of the settings
 * shares. Each error names the input, quotes the bad value and says what is expected.
 */
import { DURATION_FORMS, parseDurationMs } from './duration.js'
import { InputError, invalidInput } from './errors.js'

/** Input names: the public interface, shared by action.yml, the code and the tests. */
export const Inputs = {
  // The connection: all the post step needs.
  ServerUrl: 'server-url',
  ApiKey: 'api-key',
  Environment: 'environment',
  Tenancy: 'tenancy',
  RequestTimeout: 'request-timeout',
  CaCertificate: 'ca-certificate',
  InsecureSkipTlsVerify: 'insecure-skip-tls-verify',
  // The plan and how it runs.
  Phases: 'phases',
  Plan: 'plan',
  MaxDuration: 'max-duration',
  MinDuration: 'min-duration',
  Timeout: 'timeout',
  PollInterval: 'poll-interval',
  MaxParallel: 'max-parallel',
  FailFast: 'fail-fast',
  CancelOnFailure: 'cancel-on-failure',
  Version: 'version',
  RefreshSources: 'refresh-sources',
  Parameters: 'parameters',
  Space: 'space',
  // What to do and report.
  DryRun: 'dry-run',
  JunitReport: 'junit-report'
} as const

/** Defaults, applied when an input is empty (action.yml states the same values). */
export const Defaults = {
  [Inputs.Environment]: 'default',
  [Inputs.Tenancy]: '1',
  [Inputs.PollInterval]: '10s',
  [Inputs.MaxParallel]: '0',
  [Inputs.FailFast]: 'true',
  [Inputs.Version]: 'published',
  [Inputs.RefreshSources]: 'false',
  [Inputs.RequestTimeout]: '30s',
  [Inputs.CancelOnFailure]: 'false',
  [Inputs.InsecureSkipTlsVerify]: 'false',
  [Inputs.DryRun]: 'false'
} as const

/** Reads one input's text; empty when it was not given. */
export type InputReader = (name: string) => string

/** The input's trimmed text, or its default when it is empty. */
export function textOf(read: InputReader): (name: string) => string {
  return name => {
    const value = read(name).trim()
    return value === '' ? ((Defaults as Record<string, string>)[name] ?? '') : value
  }
}

export function required(name: string, value: string): string {
  if (value.trim() === '') throw new InputError(`Input '${name}' is required and was not given.`)
  return value
}

/** Labels travel in a header or a path, so they cannot hold white space or slashes. */
export function readLabel(name: string, value: string): string {
  if (value === '' || /[\s/\\?#]/.test(value)) {
    throw invalidInput(name, value, 'expected a label without spaces, slashes, ? or #.')
  }
  return value
}

export function readDuration(name: string, value: string): number {
  const ms = parseDurationMs(value)
  if (ms === undefined || ms <= 0) throw invalidInput(name, value, `expected ${DURATION_FORMS}.`)
  return ms
}

export function readOptionalDuration(name: string, value: string): number | undefined {
  return value === '' ? undefined : readDuration(name, value)
}

export function readCount(name: string, value: string): number {
  if (!/^\d+$/.test(value)) {
    throw invalidInput(name, value, 'expected a whole number, 0 or more (0 = no limit).')
  }
  return Number(value)
}

/** The YAML 1.2 core booleans, as core.getBooleanInput accepts them. */
export function readBoolean(name: string, value: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw invalidInput(name, value, 'expected true or false.')
}
