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
import { DEFAULT_RETRY_POLICY, parseRetryAfter, withRetry, type RetryPolicy } from './retry.js'

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
  'CERT_SIGNATURE_FAILURE'
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
  /**
   * The job's status. The signal abandons the request in flight and any retry; no retry starts
   * after `retryUntil` (epoch ms), so an outage cannot hold a job past its max-duration.
   */
  getJob(jobId: string, signal?: AbortSignal, retryUntil?: number): Promise<JobStatus>
  /** The workflow's recent jobs; the signal abandons the request in flight and any retry. */
  listJobs(workflow: string, signal?: AbortSignal): Promise<JobStatus[]>
  /** Never takes longer than a few seconds: it runs while the run is shutting down. */
  cancel(jobId: string): Promise<CancelResult>
  dispose(): void
}

/** What a cancel request achieved, with the job as the server returned it, if it did. */
export type CancelResult = { supported: false } | { supported: true; job: JobStatus | undefined }

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
   * started nothing: the connection was refused before any byte left. Any other lost answer is
   * for the caller to resolve (see submit.ts). The signal stops retries but never abandons a
   * request in flight: its answer names a job that may need cancelling.
   */
  async execute(workflow: PlannedWorkflow, signal?: AbortSignal): Promise<string> {
    const body = executeRequestBody({ workflow: workflow.workflow, ...workflow.execute })
    const context: RequestContext = {
      purpose: 'execute',
      method: 'POST',
      path: paths.execute(),
      workflow: workflow.workflow
    }
    const answer = await withRetry(
      () => this.send(context, JSON.stringify(body)),
      this.budget(),
      this.retryHooks(signal, error => error instanceof ApiError && provablyNotStarted(error))
    )
    return this.read(answer, context, parseExecuteResponse)
  }

  serverClockOffsetMs(): number {
    return this.clockOffsetMs
  }

  async getJob(jobId: string, signal?: AbortSignal, retryUntil?: number): Promise<JobStatus> {
    const context: RequestContext = { purpose: 'job', method: 'GET', path: paths.job(jobId), jobId }
    const answer = await withRetry(() => this.send(context, undefined, signal), this.budget(), {
      ...this.retryHooks(signal, isTransient),
      deadline: retryUntil
    })
    return this.read(answer, context, body => parseJob(body, jobId))
  }

  async listJobs(workflow: string, signal?: AbortSignal): Promise<JobStatus[]> {
    const context: RequestContext = {
      purpose: 'list',
      method: 'GET',
      path: paths.jobs(workflow),
      workflow
    }
    const answer = await withRetry(
      () => this.send(context, undefined, signal),
      this.budget(),
      this.retryHooks(signal, isTransient)
    )
    return this.read(answer, context, parseJobList)
  }

  async cancel(jobId: string): Promise<CancelResult> {
    const context: RequestContext = {
      purpose: 'cancel',
      method: 'POST',
      path: paths.cancel(jobId),
      jobId
    }
    // Cancelling happens while the run is ending: the runner kills a cancelled job's process
    // about 7.5 s after SIGINT. So the whole cancel, retries and a hung request included, gets
    // a few seconds, however long 'request-timeout' is.
    const budget = new AbortController()
    const timer = setTimeout(
      () => budget.abort(this.timeoutError(context, CANCEL_BUDGET_MS)),
      CANCEL_BUDGET_MS
    )
    try {
      const answer = await withRetry(
        () => this.send(context, '{}', budget.signal),
        { ...this.policy, budgetMs: CANCEL_BUDGET_MS },
        this.retryHooks(budget.signal, isTransient)
      )
      // The contract answers with the job; a server that says nothing still accepted the cancel.
      let job: JobStatus | undefined
      try {
        job = answer.body === undefined ? undefined : parseJob(answer.body, jobId)
      } catch {
        job = undefined
      }
      return { supported: true, job }
    } catch (error) {
      if (error instanceof ApiError && CANCEL_UNSUPPORTED_STATUSES.includes(error.status ?? 0)) {
        return { supported: false }
      }
      throw error
    } finally {
      clearTimeout(timer)
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

  /**
   * One request with a hard deadline; any non-2xx answer becomes an ApiError. An aborted signal
   * abandons it at once with the signal's reason (http-client cannot abort a request; the socket
   * is left to its own timeout, and its late answer is dropped).
   */
  private send(context: RequestContext, data?: string, signal?: AbortSignal): Promise<Answer> {
    const url = this.root + context.path
    return new Promise<Answer>((resolve, reject) => {
      const settle = (finish: () => void): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        finish()
      }
      const onAbort = (): void =>
        settle(() =>
          reject(signal?.reason instanceof ApiError ? signal.reason : abandoned(context))
        )
      const timer = setTimeout(
        () => settle(() => reject(this.timeoutError(context, this.options.requestTimeoutMs))),
        this.options.requestTimeoutMs
      )
      if (signal?.aborted === true) return onAbort()
      signal?.addEventListener('abort', onAbort, { once: true })
      this.exchange(context.method, url, data, context).then(
        answer => settle(() => resolve(answer)),
        (error: unknown) => settle(() => reject(error))
      )
    })
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
    // The key may come back in an echoed header or a debug body: it leaves here redacted.
    const text = this.redact(await response.readBody())
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
    } else if (status === 404 && context.purpose === 'execute') {
      kind = 'not-found'
      text =
        `Data Studio has no workflow with external label '${context.workflow}' in ${env} ` +
        `(tenancy '${this.options.tenancy}') (404). Check the workflow's external label in Data ` +
        `Studio, and 'space' if it lives in a Space.`
    } else if (status === 404 && context.purpose === 'list') {
      kind = 'not-found'
      text =
        `${where}: Data Studio answered 404 to the job list. Check 'tenancy' ` +
        `('${this.options.tenancy}') and that 'server-url' (${this.options.serverUrl}) is the ` +
        `Data Studio server itself, not a path below it.`
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
    if (/^Request timeout/.test(err.message ?? '')) {
      return this.timeoutError(context, this.options.requestTimeoutMs)
    }
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      // A trusted certificate for another name: a CA would not help, the right host name would.
      const host = new URL(this.options.serverUrl).hostname
      return new ApiError(
        this.redact(
          `${where}: the TLS certificate of ${host} was issued for other names (${err.message}). ` +
            `Set 'server-url' to a host name the certificate names.`
        ),
        'tls',
        false
      )
    }
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

  private timeoutError(context: RequestContext, limitMs: number): ApiError {
    const limit = formatDuration(limitMs)
    const what =
      context.purpose === 'cancel' && limitMs === CANCEL_BUDGET_MS
        ? `within ${limit}, the most a cancel may take while the run ends`
        : `within the request timeout (${limit}, input 'request-timeout')`
    return new ApiError(`${describeRequest(context)}: no answer ${what}.`, 'timeout', true)
  }

  /** The key may come back in a server's error body; it must never reach a message. */
  private redact(text: string): string {
    return text.split(this.options.apiKey).join('***')
  }
}

interface RequestContext {
  purpose: 'execute' | 'job' | 'list' | 'cancel'
  method: string
  path: string
  workflow?: string
  jobId?: string
}

function describeRequest(context: RequestContext): string {
  return `${context.method} ${context.path}`
}

/** The run is stopping and no longer waits for this answer. */
function abandoned(context: RequestContext): ApiError {
  return new ApiError(
    `${describeRequest(context)}: abandoned because the run is stopping.`,
    'timeout',
    true
  )
}

const CANCEL_BUDGET_MS = 5_000
const FIRST_CONTACT_BUDGET_MS = 30_000

/**
 * True when the server cannot have started anything for this request. A 429 is not among them:
 * the contract allows a resend only when nothing reached the server, so a refused execute goes
 * through the job-list check in submit.ts like any other lost answer.
 */
function provablyNotStarted(error: ApiError): boolean {
  return error.kind === 'network' && !error.mayHaveReachedServer
}

/**
 * http-client has no CA option, but its handlers may adjust each request's TLS options before it
 * is sent; Node uses a request's `ca` when the agent sets none (and pools such sockets apart).
 */
function tlsHandlers(options: ClientOptions): RequestHandler[] {
  const ca = options.caCertificates
  if (ca === undefined || ca.trim() === '') return []
  // Added to Node's own roots, not instead of them: public certificates still verify. Built once:
  // Node keys its socket pool on the CA list, and rebuilding it per request costs ~200 KB each.
  const roots = [...rootCertificates, ca]
  return [
    {
      prepareRequest: (request: RequestOptions) => {
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
