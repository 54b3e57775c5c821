/**
 * The Data Studio simulator: a real HTTP server (Node's `http`, no framework) that answers the
 * contract's routes the way the scenario says — jobs that queue, run their steps and end, and
 * faults that a real network and a real server produce. Tests start it in-process on port 0;
 * `main.ts` starts it from the command line.
 */
import { appendFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import {
  JobState,
  matchRoute,
  parseAuthorizationHeader,
  type Route,
  type WireError
} from '../contract.js'
import { decideFault, drawFaults, dropsAfterAccept, faultsFor, seededRandom } from './faults.js'
import { peakConcurrency, type RequestLogEntry, type SimStats, type SimStatsJob } from './log.js'
import { parseScenarioText, workflowFor, type Scenario } from './scenario.js'
import { hasEnded, snapshotJob, type SimJob } from './timeline.js'

export interface SimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number
  /** Defaults to 127.0.0.1: the simulator is for rehearsals on this machine. */
  host?: string
  /** Append every request-log entry to this file as one JSON line. */
  requestLogFile?: string
  /** Serve HTTPS with this certificate and key (PEM), for rehearsing TLS settings. */
  tls?: { cert: string; key: string }
}

export interface RunningSimulator {
  /** `http://host:port`, no trailing slash. */
  url: string
  port: number
  /** `{url}/api/{tenancy}/`, the root the contract's paths are relative to. */
  apiRoot: string
  scenario: Scenario
  stats(): SimStats
  log(): RequestLogEntry[]
  /** Stops listening and ends open (keep-alive) connections, so the process can exit. */
  close(): Promise<void>
}

const MAX_BODY_BYTES = 1024 * 1024
const SIM_PREFIX = '/_sim/'

/** Thrown inside a handler to answer with an error status and a `{"message"}` body. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message)
  }
}

function sleep(ms: number): Promise<void> {
  // unref: a request waiting out its latency must not keep a closing process alive.
  return new Promise(resolve => setTimeout(resolve, ms).unref())
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
    })
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new ApiError(413, 'Request body too large'))
      else resolve(Buffer.concat(chunks).toString('utf8'))
    })
    req.on('error', reject)
  })
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers
  })
  res.end(text)
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

/** The execute body's label, read leniently: only for the log and for routing the request. */
function labelOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const label = (body as Record<string, unknown>).externalLabel
  return typeof label === 'string' && label.trim() !== '' ? label : undefined
}

class Simulator {
  private readonly jobs: SimJob[] = []
  private readonly byId = new Map<string, SimJob>()
  private readonly entries: RequestLogEntry[] = []
  private readonly random: () => number
  private nextJobId: number
  startMs = Date.now()

  constructor(
    readonly scenario: Scenario,
    private readonly requestLogFile: string | undefined
  ) {
    this.random = seededRandom(scenario.seed)
    this.nextJobId = scenario.firstJobId
  }

  stats(nowMs = Date.now()): SimStats {
    const executions: Record<string, number> = {}
    const jobs: SimStatsJob[] = this.jobs.map(job => {
      executions[job.workflow] = (executions[job.workflow] ?? 0) + 1
      const wire = snapshotJob(job, nowMs)
      return {
        jobId: job.jobId,
        workflow: job.workflow,
        submittedAt: wire.submittedAt ?? new Date(job.submittedMs).toISOString(),
        startedAt: wire.startedAt,
        endedAt: wire.finishedAt,
        state: wire.state
      }
    })
    return { executions, jobs, peakRunning: peakConcurrency(jobs) }
  }

  log(): RequestLogEntry[] {
    return this.entries.map(entry => ({ ...entry }))
  }

  private record(entry: RequestLogEntry): void {
    this.entries.push(entry)
    if (this.requestLogFile !== undefined) {
      // Synchronous on purpose: the file keeps arrival order and survives a killed process.
      appendFileSync(this.requestLogFile, `${JSON.stringify(entry)}\n`)
    }
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedMs = Date.now()
    const method = (req.method ?? 'GET').toUpperCase()
    const target = req.url ?? '/'
    if (target.startsWith(SIM_PREFIX)) return this.handleSim(method, target, res)

    const draws = drawFaults(this.random) // before any await: draws follow arrival order
    const route = matchRoute(method, target)
    const entry: RequestLogEntry = {
      time: new Date(arrivedMs).toISOString(),
      sinceStartMs: arrivedMs - this.startMs,
      method,
      path: target,
      status: 'dropped',
      durationMs: 0,
      route: route?.kind ?? 'unknown'
    }
    if (route?.kind === 'jobs' && route.workflow !== undefined) entry.workflow = route.workflow
    if (route?.kind === 'job' || route?.kind === 'cancel') entry.jobId = route.jobId
    const finish = (status: number | 'dropped'): void => {
      entry.status = status
      entry.durationMs = Date.now() - arrivedMs
      this.record(entry)
    }
    const drop = (): void => {
      req.socket.destroy()
      finish('dropped')
    }
    const answerError = (status: number, message: string, headers?: Record<string, string>) => {
      sendJson(res, status, this.errorBody(message, req), headers)
      finish(status)
    }

    try {
      const text = await readBody(req)
      const faults = faultsFor(this.scenario.faults, route?.kind)
      const decision = decideFault(faults, this.scenario.downtime, arrivedMs - this.startMs, draws)
      if (route?.kind === 'execute') {
        const label = labelOf(safeJson(text))
        if (label !== undefined) entry.workflow = label
      }
      if (decision.latencyMs > 0) await sleep(decision.latencyMs)
      const action = decision.action
      if (action.kind === 'drop') {
        entry.fault = action.reason
        return drop()
      }
      if (action.kind === 'status') {
        entry.fault = action.reason
        const headers: Record<string, string> = {}
        if (action.retryAfterSeconds !== undefined) {
          headers['Retry-After'] = String(action.retryAfterSeconds)
        }
        const why = {
          downtime: 'The server is unavailable (simulated downtime)',
          'rate-limit': 'Too many requests (simulated rate limit)',
          error: `Simulated server error ${action.status}`
        }[action.reason]
        return answerError(action.status, why, headers)
      }

      if (route === undefined) {
        throw new ApiError(404, `No such endpoint: ${method} ${target.split('?')[0] ?? target}`)
      }
      if (route.kind === 'cancel' && this.scenario.cancelAbsentStatus !== undefined) {
        throw new ApiError(
          this.scenario.cancelAbsentStatus,
          'This server has no cancel endpoint (simulated)'
        )
      }
      this.authorize(req.headers.authorization)
      if (route.tenancy !== this.scenario.tenancy) {
        throw new ApiError(404, `No tenancy '${route.tenancy}'`)
      }
      const now = Date.now()
      if (route.kind === 'execute') {
        const job = this.execute(text, now)
        entry.jobId = job.jobId
        if (dropsAfterAccept(faults, this.jobs.length, draws.acceptThenDrop)) {
          // The job exists, but the client never hears of it: the case that makes an execute
          // impossible to retry blindly.
          entry.fault = 'accept-then-drop'
          return drop()
        }
        sendJson(res, 201, { jobId: job.jobId, state: JobState.Queued })
        return finish(201)
      }
      const answer = this.answer(route, now)
      if (answer.workflow !== undefined) entry.workflow = answer.workflow
      sendJson(res, 200, answer.body)
      return finish(200)
    } catch (error) {
      if (error instanceof ApiError) return answerError(error.status, error.message)
      const reason = error instanceof Error ? error.message : String(error)
      return answerError(500, `Simulator error: ${reason}`)
    }
  }

  private errorBody(message: string, req: IncomingMessage): WireError & { authorization?: string } {
    if (!this.scenario.echoAuthorization) return { message }
    // Hostile on purpose: lets tests prove a client never prints what a server echoes back.
    const header = req.headers.authorization ?? '(none)'
    return { message: `${message} (Authorization received: ${header})`, authorization: header }
  }

  private authorize(header: string | undefined): void {
    const credentials = parseAuthorizationHeader(header)
    if (credentials === undefined) {
      throw new ApiError(
        401,
        "Missing or malformed Authorization header (expected '<environment label> <API key>')"
      )
    }
    if (
      credentials.environment !== this.scenario.environment ||
      credentials.apiKey !== this.scenario.apiKey
    ) {
      throw new ApiError(
        401,
        `The API key is not valid for environment '${credentials.environment}'`
      )
    }
  }

  private execute(text: string, now: number): SimJob {
    const body = safeJson(text)
    if (body === undefined) throw new ApiError(400, 'The request body is not valid JSON')
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ApiError(400, 'The request body must be a JSON object')
    }
    const label = labelOf(body)
    if (label === undefined) throw new ApiError(400, 'The request body has no externalLabel')
    const spec = workflowFor(this.scenario, label)
    if (spec === undefined) {
      throw new ApiError(
        404,
        `No workflow with external label '${label}' in environment '${this.scenario.environment}'`
      )
    }
    const parameters = (body as Record<string, unknown>).workflowParameters
    if (parameters !== undefined) {
      if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
        throw new ApiError(400, 'workflowParameters must be an object of name to value')
      }
      for (const name of Object.keys(parameters)) {
        if (spec.parameters !== undefined && !spec.parameters.includes(name)) {
          throw new ApiError(400, `Workflow '${label}' has no parameter '${name}'`)
        }
      }
    }
    const job: SimJob = {
      jobId: String(this.nextJobId++),
      workflow: label,
      spec,
      submittedMs: now,
      cancelledMs: undefined
    }
    this.jobs.push(job)
    this.byId.set(job.jobId, job)
    return job
  }

  private findJob(jobId: string): SimJob {
    const job = this.byId.get(jobId)
    if (job === undefined) throw new ApiError(404, `No job with id '${jobId}'`)
    return job
  }

  private answer(
    route: Exclude<Route, { kind: 'execute' }>,
    now: number
  ): { body: unknown; workflow?: string } {
    switch (route.kind) {
      case 'job': {
        const job = this.findJob(route.jobId)
        return { body: snapshotJob(job, now), workflow: job.workflow }
      }
      case 'jobs': {
        // Newest first: jobs are stored in submission order with increasing ids.
        const jobs = this.jobs
          .filter(job => route.workflow === undefined || job.workflow === route.workflow)
          .reverse()
          .map(job => snapshotJob(job, now))
        return { body: { jobs } }
      }
      case 'cancel': {
        const job = this.findJob(route.jobId)
        // Cancelling an ended job is not an error: it answers the job unchanged.
        if (!hasEnded(job, now)) job.cancelledMs = now
        return { body: snapshotJob(job, now), workflow: job.workflow }
      }
    }
  }

  private handleSim(method: string, target: string, res: ServerResponse): void {
    const path = target.split('?')[0]
    if (method === 'GET' && path === '/_sim/log') return sendJson(res, 200, this.log())
    if (method === 'GET' && path === '/_sim/stats') return sendJson(res, 200, this.stats())
    sendJson(res, 404, { message: `No such simulator endpoint: ${method} ${path}` })
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** Starts a simulator for a scenario (parsed, or YAML/JSON text) and resolves once it listens. */
export async function startSimulator(
  scenario: Scenario | string,
  options: SimulatorOptions = {}
): Promise<RunningSimulator> {
  const parsed = typeof scenario === 'string' ? parseScenarioText(scenario) : scenario
  const host = options.host ?? '127.0.0.1'
  if (options.requestLogFile !== undefined) {
    // Fail now, not at the first request, when the log file cannot be written.
    appendFileSync(options.requestLogFile, '')
  }
  const simulator = new Simulator(parsed, options.requestLogFile)
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void simulator.handle(req, res)
  }
  const server =
    options.tls === undefined ? createServer(handler) : createTlsServer(options.tls, handler)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  // Downtime windows count from here: the moment clients can first reach the server.
  simulator.startMs = Date.now()
  const port = (server.address() as AddressInfo).port
  const url = `${options.tls === undefined ? 'http' : 'https'}://${urlHost(host)}:${port}`
  return {
    url,
    port,
    apiRoot: `${url}/api/${encodeURIComponent(parsed.tenancy)}/`,
    scenario: parsed,
    stats: () => simulator.stats(),
    log: () => simulator.log(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close(error => (error === undefined ? resolve() : reject(error)))
        server.closeAllConnections()
      })
  }
}
