/**
 * Reads and validates every input once, into one typed settings object. Nothing else reads
 * inputs; everything after this works on plain data. Every error names the input, quotes the bad
 * value (never the API key) and says what is expected, so a bad input stops the run before any
 * request is sent.
 */
import { X509Certificate } from 'node:crypto'
import { parse as parseYaml } from 'yaml'
import type { VersionChoice } from './contract.js'
import { DURATION_FORMS, parseDurationMs } from './duration.js'
import { InputError, invalidInput, quote } from './errors.js'
import { parsePhaseList } from './phases.js'
import { buildPlan, type Plan } from './plan.js'
import { loadPlan, readFileIfExists, type ReadFile } from './planfile.js'

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

/** What it takes to talk to the server: all the post step needs. */
export interface Connection {
  serverUrl: string
  apiKey: string
  environment: string
  tenancy: string
  requestTimeoutMs: number
  /** Extra trusted roots, PEM. */
  caCertificates: string | undefined
  insecureSkipTlsVerify: boolean
}

export interface Settings extends Connection {
  plan: Plan
  timeoutMs: number | undefined
  pollIntervalMs: number
  /** 0 means every workflow of a phase at once. */
  maxParallel: number
  failFast: boolean
  cancelOnFailure: boolean
  /** Check everything, execute nothing. */
  dryRun: boolean
  /** Where to write a JUnit XML report; undefined = none. */
  junitReport: string | undefined
}

/** Reads one input's text; empty when it was not given. */
export type InputReader = (name: string) => string

/** The input's trimmed text, or its default when it is empty. */
function textOf(read: InputReader): (name: string) => string {
  return name => {
    const value = read(name).trim()
    return value === '' ? ((Defaults as Record<string, string>)[name] ?? '') : value
  }
}

export function readConnection(
  read: InputReader,
  readFile: ReadFile = readFileIfExists
): Connection {
  const text = textOf(read)
  return {
    serverUrl: readServerUrl(required(Inputs.ServerUrl, text(Inputs.ServerUrl))),
    apiKey: readApiKey(read(Inputs.ApiKey)),
    environment: readLabel(Inputs.Environment, text(Inputs.Environment)),
    tenancy: readLabel(Inputs.Tenancy, text(Inputs.Tenancy)),
    requestTimeoutMs: readDuration(Inputs.RequestTimeout, text(Inputs.RequestTimeout)),
    caCertificates: readCaCertificate(text(Inputs.CaCertificate), readFile),
    insecureSkipTlsVerify: readBoolean(
      Inputs.InsecureSkipTlsVerify,
      text(Inputs.InsecureSkipTlsVerify)
    )
  }
}

export function readSettings(read: InputReader, readFile: ReadFile = readFileIfExists): Settings {
  const text = textOf(read)
  // Validated in the order of the inputs table, so the first error reported is the first input.
  const connection = readConnection(read, readFile)
  const planSource = readPlanSource(read)
  // A phase list stands alone; a plan file falls back to the inputs below, so it is read last.
  const phases =
    planSource.kind === 'phases' ? parsePhaseList(planSource.text, Inputs.Phases) : undefined
  const limits = {
    maxDurationMs: readOptionalDuration(Inputs.MaxDuration, text(Inputs.MaxDuration)),
    minDurationMs: readOptionalDuration(Inputs.MinDuration, text(Inputs.MinDuration))
  }
  if (
    limits.maxDurationMs !== undefined &&
    limits.minDurationMs !== undefined &&
    limits.minDurationMs >= limits.maxDurationMs
  ) {
    throw new InputError(
      `Input '${Inputs.MinDuration}' (${text(Inputs.MinDuration)}) must be shorter than ` +
        `'${Inputs.MaxDuration}' (${text(Inputs.MaxDuration)}); no run could pass both.`
    )
  }
  const timeoutMs = readOptionalDuration(Inputs.Timeout, text(Inputs.Timeout))
  const pollIntervalMs = readDuration(Inputs.PollInterval, text(Inputs.PollInterval))
  const maxParallel = readCount(Inputs.MaxParallel, text(Inputs.MaxParallel))
  const failFast = readBoolean(Inputs.FailFast, text(Inputs.FailFast))
  const cancelOnFailure = readBoolean(Inputs.CancelOnFailure, text(Inputs.CancelOnFailure))
  const execute = {
    version: readVersion(text(Inputs.Version)),
    refreshSources: readBoolean(Inputs.RefreshSources, text(Inputs.RefreshSources)),
    parameters: readParameters(text(Inputs.Parameters)),
    space: text(Inputs.Space) === '' ? undefined : readLabel(Inputs.Space, text(Inputs.Space))
  }
  const dryRun = readBoolean(Inputs.DryRun, text(Inputs.DryRun))
  const junitReport = text(Inputs.JunitReport) === '' ? undefined : text(Inputs.JunitReport)
  const base = { ...limits, execute }
  return {
    ...connection,
    plan:
      phases !== undefined
        ? buildPlan(phases, limits, execute)
        : loadPlan(planSource.text, readFile, base, Inputs.Plan),
    timeoutMs,
    pollIntervalMs,
    maxParallel,
    failFast,
    cancelOnFailure,
    dryRun,
    junitReport
  }
}

/** Exactly one of `phases` and `plan`. The plan itself is read after every input is checked. */
function readPlanSource(read: InputReader): { kind: 'phases' | 'plan'; text: string } {
  const phases = read(Inputs.Phases)
  const plan = read(Inputs.Plan)
  const hasPhases = phases.trim() !== ''
  const hasPlan = plan.trim() !== ''
  if (hasPhases && hasPlan) {
    throw new InputError(
      `Inputs '${Inputs.Phases}' and '${Inputs.Plan}' are both given: use one — '${Inputs.Phases}' ` +
        `for a list of workflows, '${Inputs.Plan}' for a plan file with per-workflow settings.`
    )
  }
  if (!hasPhases && !hasPlan) {
    throw new InputError(
      `Input '${Inputs.Phases}' (or '${Inputs.Plan}') is required and was not given: name the ` +
        `workflows to run in '${Inputs.Phases}', or give a plan file in '${Inputs.Plan}'.`
    )
  }
  return hasPhases ? { kind: 'phases', text: phases } : { kind: 'plan', text: plan }
}

function required(name: string, value: string): string {
  if (value.trim() === '') throw new InputError(`Input '${name}' is required and was not given.`)
  return value
}

const SERVER_URL_EXPECTED =
  'expected the address of the Data Studio server with its scheme and no path, ' +
  'such as https://datastudio.example.com:7701'

function readServerUrl(value: string): string {
  // Credentials are checked first and never quoted back, whatever else is wrong with the value.
  const shown = withoutCredentials(value)
  if (shown !== value) {
    throw invalidInput(
      Inputs.ServerUrl,
      shown,
      `put no credentials in the address; the key goes in '${Inputs.ApiKey}'.`
    )
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalidInput(Inputs.ServerUrl, value, `${SERVER_URL_EXPECTED}.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalidInput(Inputs.ServerUrl, value, `${SERVER_URL_EXPECTED} (http or https).`)
  }
  if (url.pathname.replace(/\/+$/, '') !== '' || url.search !== '' || url.hash !== '') {
    const hint = /^\/api\//.test(url.pathname)
      ? ` The API path is added by the action; set the tenancy with '${Inputs.Tenancy}'.`
      : ''
    throw invalidInput(Inputs.ServerUrl, value, `${SERVER_URL_EXPECTED}.${hint}`)
  }
  return `${url.protocol}//${url.host}`
}

/** `https://user:pw@host` → `https://…@host`; `user:pw@host` → `…@host`. */
function withoutCredentials(value: string): string {
  return value.replace(
    /^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i,
    (_match, scheme?: string) => `${scheme ?? ''}…@`
  )
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** PEM text, or the path of a PEM file; every certificate in it must parse. */
function readCaCertificate(value: string, readFile: ReadFile): string | undefined {
  if (value === '') return undefined
  const inline = value.includes('-----BEGIN')
  let pem: string | undefined
  try {
    pem = inline ? value : readFile(value)
  } catch {
    pem = undefined // unreadable (a folder, no permission): said below like a missing file
  }
  if (pem === undefined) {
    throw invalidInput(
      Inputs.CaCertificate,
      value,
      'no such file can be read; expected PEM text (-----BEGIN CERTIFICATE----- …) or the path of a PEM file.'
    )
  }
  const certificates = pem.match(PEM_CERTIFICATE) ?? []
  const shown = inline ? 'PEM text' : `the file ${quote(value)}`
  if (certificates.length === 0) {
    throw new InputError(
      `Input '${Inputs.CaCertificate}': ${shown} holds no -----BEGIN CERTIFICATE----- block; ` +
        'expected one or more PEM certificates of the CA that signed the server certificate.'
    )
  }
  for (const [index, certificate] of certificates.entries()) {
    try {
      new X509Certificate(certificate)
    } catch (error) {
      throw new InputError(
        `Input '${Inputs.CaCertificate}': certificate ${index + 1} in ${shown} does not parse ` +
          `(${(error as Error).message}); expected PEM certificates.`
      )
    }
  }
  return certificates.join('\n')
}

/** The key is never quoted back: an error about it must not print it. */
function readApiKey(value: string): string {
  const key = value.trim()
  if (key === '') {
    throw new InputError(
      `Input '${Inputs.ApiKey}' is required and was not given (or the secret it names is empty).`
    )
  }
  if (/\s/.test(key)) {
    throw new InputError(
      `Input '${Inputs.ApiKey}' contains white space or a line break: paste the API key alone, ` +
        `without the environment label (that goes in '${Inputs.Environment}').`
    )
  }
  return key
}

/** Labels travel in a header or a path, so they cannot hold white space or slashes. */
function readLabel(name: string, value: string): string {
  if (value === '' || /[\s/\\?#]/.test(value)) {
    throw invalidInput(name, value, 'expected a label without spaces, slashes, ? or #.')
  }
  return value
}

function readDuration(name: string, value: string): number {
  const ms = parseDurationMs(value)
  if (ms === undefined || ms <= 0) throw invalidInput(name, value, `expected ${DURATION_FORMS}.`)
  return ms
}

function readOptionalDuration(name: string, value: string): number | undefined {
  return value === '' ? undefined : readDuration(name, value)
}

function readCount(name: string, value: string): number {
  if (!/^\d+$/.test(value)) {
    throw invalidInput(name, value, 'expected a whole number, 0 or more (0 = no limit).')
  }
  return Number(value)
}

/** The YAML 1.2 core booleans, as core.getBooleanInput accepts them. */
function readBoolean(name: string, value: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw invalidInput(name, value, 'expected true or false.')
}

function readVersion(value: string): VersionChoice {
  const v = value.toLowerCase()
  if (v === 'published' || v === 'publishedonly') return 'PublishedOnly'
  if (v === 'draft' || v === 'preferdraft') return 'PreferDraft'
  throw invalidInput(
    Inputs.Version,
    value,
    'expected published (the last published version) or draft (the latest draft).'
  )
}

/** A JSON or YAML map of parameter names to strings, numbers or booleans. */
function readParameters(
  value: string,
  name: string = Inputs.Parameters
): Record<string, string | number | boolean> | undefined {
  if (value === '') return undefined
  let parsed: unknown
  try {
    parsed = parseYaml(value) // YAML 1.2 is a superset of JSON, so one parser reads both
  } catch (error) {
    throw invalidInput(
      name,
      value,
      `expected a JSON or YAML map of parameter names to values (${(error as Error).message.split('\n')[0]}).`
    )
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidInput(
      name,
      value,
      'expected a JSON or YAML map of parameter names to values, such as {"region": "EMEA"} or region: EMEA.'
    )
  }
  const parameters: Record<string, string | number | boolean> = {}
  for (const [key, v] of Object.entries(parsed)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new InputError(
        `Input '${name}': parameter ${quote(key)} is ${quote(JSON.stringify(v) ?? String(v))}; ` +
          'each value must be a string, a number or true/false.'
      )
    }
    parameters[key] = v
  }
  return parameters
}
