/**
 * The Data Studio client: the only module that talks to the network. It speaks the contract in
 * contract.ts, turns every failure into an ApiError whose message a person can act on, retries
 * what is safe to repeat, and never lets the API key into a message.
 */
import { HttpClient, type HttpClientResponse } from '@actions/http-client'
import type { RequestHandler } from '@actions/http-client/lib/interfaces'
import type { RequestOptions } from 'node:https'
import { rootCertificates } from 'node:tls'
import {
  apiRoot,
  authorizationHeader,
  CANCEL_UNSUPPORTED_STATUSES,
  ContractError,
  errorMessageOf,
  executeRequestBody,
  JSON_HEADERS,
  type JobStatus,
  parseExecuteResponse,
  parseJob,
  parseJobList,
  paths
} from './contract.js'
import { formatDuration } from './duration.js'
import type { PlannedWorkflow } from './plan.js'
import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  sleep,
  withRetry,
  type RetryPolicy
} from './retry.js'

export type FailureKind =
  | 'auth'
  | 'forbidden'
  | 'not-found'
  | 'rejected'
  | 'rate-limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'tls'
  | 'unresolvable'
  | 'answer'

/** Network errors raised before a connection existed: the request provably never arrived. */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH'
])
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504])

/** OpenSSL's and Node's names for a certificate the runner does not trust. */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID'
])

export class ApiError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    /** False only when the request provably never reached the server. */
    readonly mayHaveReachedServer: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** Safe to send again if the request was idempotent. */
  get transient(): boolean {
    return (
      this.kind === 'network' ||
      this.kind === 'timeout' ||
      (this.status !== undefined && RETRYABLE_STATUSES.has(this.status))
    )
  }
}

/** What the runner needs from Data Studio; tests may substitute their own. */
export interface DataStudioApi {
  execute(workflow: PlannedWorkflow, signal?: AbortSignal): Promise<string>
  /**
   * The server's clock minus ours, in ms, from the Date header of its latest answer (0 until one
   * is seen): jobs in the server's list are stamped by its clock, not the runner's.
   */
  serverClockOffsetMs(): number
  getJob(jobId: string, signal?: AbortSignal): Promise<JobStatus>
  listJobs(workflow: string, signal?: AbortSignal): Promise<JobStatus[]>
  /** Resolves to false when the server has no cancel endpoint. */
  cancel(jobId: string): Promise<boolean>
  dispose(): void
}

export interface ClientOptions {
  serverUrl: string
  tenancy: string
  environment: string
  apiKey: string
  requestTimeoutMs: number
  /** Extra trusted roots (PEM), for company CAs and self-signed servers. */
  caCertificates?: string | undefined
  /** Accept any certificate. */
  insecureSkipTlsVerify?: boolean
  retryPolicy?: RetryPolicy
  /** The retry budget until the server has answered once; 30 s unless told. */
  firstContactBudgetMs?: number
  /** Told about each retried failure (for the log). */
  onRetry?: (message: string) => void
  userAgent?: string
}

interface Answer {
  status: number
  body: unknown
  text: string
  retryAfter: string | undefined
}

export class DataStudioClient implements DataStudioApi {
  private readonly http: HttpClient
  private readonly root: string
  private readonly headers: Record<string, string>
  private readonly policy: RetryPolicy
  private clockOffsetMs = 0
  /** Whether the server has answered anything yet (see budget()). */
  private answeredOnce = false

  constructor(private readonly options: ClientOptions) {
    this.root = apiRoot(options.serverUrl, options.tenancy)
    this.policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY
    this.headers = {
      ...JSON_HEADERS,
      Authorization: authorizationHeader(options.environment, options.apiKey)
    }
    this.http = new HttpClient(
      options.userAgent ?? 'datastudio-run-workflows',
      tlsHandlers(options),
      {
        socketTimeout: options.requestTimeoutMs,
        ignoreSslError: options.insecureSkipTlsVerify === true,
        keepAlive: true,
        maxSockets: 64,
        // Retries are ours: http-client's own would repeat reads blindly and ignore Retry-After.
        allowRetries: false,
        // A redirect is reported, not followed: it usually means the wrong scheme or host.
        allowRedirects: false
      }
    )
  }

  /**
   * Sends an execute request. It is not idempotent, so it is resent here only when it provably
   * started nothing: the connection was refused before any byte left, or the server answered 429
   * (it refused the request). Any other lost answer is for the caller to resolve (see submit.ts).
   */
  async execute(workflow: PlannedWorkflow, signal?: AbortSignal): Promise<string> {
    const body = executeRequestBody({ workflow: workflow.workflow, ...workflow.execute })
    const context = { method: 'POST', path: paths.execute(), workflow: workflow.workflow }
    const answer = await withRetry(
      () => this.send('POST', paths.execute(), context, JSON.stringify(body)),
      this.budget(),
      this.retryHooks(signal, error => error instanceof ApiError && provablyNotStarted(error))
    )
    return this.read(answer, context, parseExecuteResponse)
  }

  serverClockOffsetMs(): number {
    return this.clockOffsetMs
  }

  async getJob(jobId: string, signal?: AbortSignal): Promise<JobStatus> {
    const context = { method: 'GET', path: paths.job(jobId), jobId }
    const answer = await withRetry(
      () => this.send('GET', paths.job(jobId), context),
      this.budget(),
      this.retryHooks(signal, isTransient)
    )
    return this.read(answer, context, body => parseJob(body, jobId))
  }

  async listJobs(workflow: string, signal?: AbortSignal): Promise<JobStatus[]> {
    const context = { method: 'GET', path: paths.jobs(workflow), workflow }
    const answer = await withRetry(
      () => this.send('GET', paths.jobs(workflow), context),
      this.budget(),
      this.retryHooks(signal, isTransient)
    )
    return this.read(answer, context, parseJobList)
  }

  async cancel(jobId: string): Promise<boolean> {
    const context = { method: 'POST', path: paths.cancel(jobId), jobId }
    try {
      await withRetry(
        () => this.send('POST', paths.cancel(jobId), context, '{}'),
        // Cancelling happens while the run is ending (the runner allows a cancelled job about
        // 7.5 s before it kills the process); a short budget keeps shutdown quick.
        { ...this.policy, budgetMs: Math.min(this.policy.budgetMs, CANCEL_BUDGET_MS) },
        this.retryHooks(undefined, isTransient)
      )
      return true
    } catch (error) {
      if (error instanceof ApiError && CANCEL_UNSUPPORTED_STATUSES.includes(error.status ?? 0)) {
        return false
      }
      throw error
    }
  }

  dispose(): void {
    this.http.dispose()
  }

  /**
   * Until the server has answered once, a failure is far more likely a wrong address or port
   * than a restart, so it is retried briefly; after that, the full budget waits out an outage.
   */
  private budget(): RetryPolicy {
    if (this.answeredOnce) return this.policy
    const firstContact = this.options.firstContactBudgetMs ?? FIRST_CONTACT_BUDGET_MS
    return { ...this.policy, budgetMs: Math.min(this.policy.budgetMs, firstContact) }
  }

  private retryHooks(signal: AbortSignal | undefined, retryable: (error: unknown) => boolean) {
    return {
      signal,
      classify: (error: unknown) => ({
        retry: retryable(error),
        retryAfterMs: error instanceof ApiError ? error.retryAfterMs : undefined
      }),
      onRetry: (error: unknown, attempt: number, delayMs: number) =>
        this.options.onRetry?.(
          `${(error as Error).message} — retry ${attempt} in ${formatDuration(delayMs)}`
        )
    }
  }

  /** One request with a hard deadline; any non-2xx answer becomes an ApiError. */
  private async send(
    method: string,
    path: string,
    context: RequestContext,
    data?: string
  ): Promise<Answer> {
    const url = this.root + path
    const controller = new AbortController()
    const deadline = sleep(this.options.requestTimeoutMs, controller.signal).then(() => {
      if (!controller.signal.aborted) throw this.timeoutError(context)
    })
    try {
      const answer = await Promise.race([this.exchange(method, url, data, context), deadline])
      if (answer === undefined) throw this.timeoutError(context)
      return answer
    } finally {
      controller.abort()
    }
  }

  private async exchange(
    method: string,
    url: string,
    data: string | undefined,
    context: RequestContext
  ): Promise<Answer> {
    let response: HttpClientResponse
    try {
      response = await this.http.request(method, url, data ?? '', { ...this.headers })
    } catch (error) {
      throw this.networkError(error, context)
    }
    const text = await response.readBody()
    const status = response.message.statusCode ?? 0
    this.answeredOnce = true
    this.noteServerClock(response.message.headers.date)
    const body = parseJsonOrUndefined(text)
    const retryHeader = response.message.headers['retry-after']
    const answer: Answer = {
      status,
      body,
      text,
      retryAfter: Array.isArray(retryHeader) ? retryHeader[0] : retryHeader
    }
    if (status < 200 || status >= 300) throw this.httpError(answer, context, response)
    return answer
  }

  private noteServerClock(date: string | undefined): void {
    const server = date === undefined ? NaN : Date.parse(date)
    if (!Number.isNaN(server)) this.clockOffsetMs = server - Date.now()
  }

  private read<T>(answer: Answer, context: RequestContext, parse: (body: unknown) => T): T {
    if (answer.body === undefined) {
      throw new ApiError(
        this.redact(
          `${describeRequest(context)}: Data Studio answered ${answer.status} with ` +
            `${answer.text === '' ? 'an empty body' : `something that is not JSON (${snippet(answer.text)})`}; ` +
            `check that '${this.options.serverUrl}' is the Data Studio server and not a proxy or login page.`
        ),
        'answer',
        true,
        answer.status
      )
    }
    try {
      return parse(answer.body)
    } catch (error) {
      if (!(error instanceof ContractError)) throw error
      throw new ApiError(
        this.redact(`${describeRequest(context)}: ${error.message}`),
        'answer',
        true,
        answer.status
      )
    }
  }

  private httpError(
    answer: Answer,
    context: RequestContext,
    response: HttpClientResponse
  ): ApiError {
    const said =
      errorMessageOf(answer.body) ?? (answer.text === '' ? undefined : snippet(answer.text))
    const server = said === undefined ? '' : ` Data Studio said: ${said}`
    const where = describeRequest(context)
    const env = `environment '${this.options.environment}'`
    const { status } = answer
    let kind: FailureKind = 'rejected'
    let text: string
    if (status === 401) {
      kind = 'auth'
      text =
        `Data Studio refused the API key (401) for ${env}. Check that 'api-key' is a key created ` +
        `in that environment and that 'environment' is the environment's external label.`
    } else if (status === 403) {
      kind = 'forbidden'
      text =
        `Data Studio refused ${where} (403): the API key is valid but its creator lacks the ` +
        `permission for it. Grant the permission to the key's owner, or use a key of a user who has it.`
    } else if (status === 404 && context.workflow !== undefined && context.jobId === undefined) {
      kind = 'not-found'
      text =
        `Data Studio has no workflow with external label '${context.workflow}' in ${env} ` +
        `(tenancy '${this.options.tenancy}') (404). Check the workflow's external label in Data ` +
        `Studio, and 'space' if it lives in a Space.`
    } else if (status === 404 && context.jobId !== undefined) {
      kind = 'not-found'
      text = `Data Studio does not know job ${context.jobId} (404); the server may have been restarted or rebuilt.`
    } else if (status >= 300 && status < 400) {
      const location = response.message.headers.location
      text =
        `${where}: Data Studio redirected (${status}) to ${location ?? 'another address'}; ` +
        `set 'server-url' to the address it redirects to.`
    } else if (status === 429) {
      kind = 'rate-limited'
      text = `${where}: Data Studio is limiting requests (429).`
    } else if (status >= 500) {
      kind = 'server'
      text =
        `${where}: Data Studio answered ${status} ${response.message.statusMessage ?? ''}`.trimEnd() +
        '.'
    } else if (status === 409) {
      text = `${where}: Data Studio cannot start the workflow now (409).`
    } else {
      text =
        `${where}: Data Studio answered ${status} ${response.message.statusMessage ?? ''}`.trimEnd() +
        '.'
    }
    return new ApiError(
      this.redact(text + server),
      kind,
      true,
      status,
      parseRetryAfter(answer.retryAfter)
    )
  }

  private networkError(error: unknown, context: RequestContext): ApiError {
    const err = error as NodeJS.ErrnoException
    const code = err.code ?? ''
    const where = describeRequest(context)
    if (/^Request timeout/.test(err.message ?? '')) return this.timeoutError(context)
    if (CERTIFICATE_CODES.has(code)) {
      // The handshake failed, so nothing was sent; retrying cannot help.
      const host = new URL(this.options.serverUrl).host
      return new ApiError(
        this.redact(
          `${where}: the TLS certificate of ${host} is not trusted (${code}: ${err.message}). ` +
            `If the server uses a company CA or a self-signed certificate, pass that CA's ` +
            `certificate in 'ca-certificate' (PEM text or a file path).`
        ),
        'tls',
        false
      )
    }
    if (code === 'ENOTFOUND') {
      // DNS has no such name: waiting will not make one.
      const host = new URL(this.options.serverUrl).hostname
      return new ApiError(
        `${where}: the host '${host}' does not exist (ENOTFOUND). Check 'server-url' (${this.options.serverUrl}).`,
        'unresolvable',
        false
      )
    }
    const neverSent = NEVER_SENT_CODES.has(code)
    const hint = neverSent
      ? ` Check 'server-url' (${this.options.serverUrl}) and that the server is up and reachable from this runner.`
      : ''
    return new ApiError(
      this.redact(`${where}: could not reach Data Studio (${code || err.message}).${hint}`),
      'network',
      !neverSent
    )
  }

  private timeoutError(context: RequestContext): ApiError {
    return new ApiError(
      `${describeRequest(context)}: no answer within the request timeout ` +
        `(${formatDuration(this.options.requestTimeoutMs)}, input 'request-timeout').`,
      'timeout',
      true
    )
  }

  /** The key may come back in a server's error body; it must never reach a message. */
  private redact(text: string): string {
    return text.split(this.options.apiKey).join('***')
  }
}

interface RequestContext {
  method: string
  path: string
  workflow?: string
  jobId?: string
}

function describeRequest(context: RequestContext): string {
  return `${context.method} ${context.path}`
}

const CANCEL_BUDGET_MS = 5_000
const FIRST_CONTACT_BUDGET_MS = 30_000

/** True when the server cannot have started anything for this request. */
function provablyNotStarted(error: ApiError): boolean {
  return (error.kind === 'network' && !error.mayHaveReachedServer) || error.status === 429
}

/**
 * http-client has no CA option, but its handlers may adjust each request's TLS options before it
 * is sent; Node uses a request's `ca` when the agent sets none (and pools such sockets apart).
 */
function tlsHandlers(options: ClientOptions): RequestHandler[] {
  const ca = options.caCertificates
  if (ca === undefined || ca.trim() === '') return []
  return [
    {
      prepareRequest: (request: RequestOptions) => {
        // Added to Node's own roots, not instead of them: public certificates still verify.
        const roots = [...rootCertificates, ca]
        request.ca = roots
        // Through a proxy the tunnelling agent builds the TLS socket from its own options only.
        const agent = request.agent as { options?: Record<string, unknown> } | undefined
        if (agent !== undefined && typeof agent === 'object') {
          agent.options = { ...agent.options, ca: roots }
        }
      },
      canHandleAuthentication: () => false,
      handleAuthentication: () => Promise.reject(new Error('not an authentication handler'))
    }
  ]
}

function isTransient(error: unknown): boolean {
  return error instanceof ApiError && error.transient
}

/** The body as JSON, or undefined when it is empty or not JSON (an HTML error page, say). */
function parseJsonOrUndefined(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat
}
