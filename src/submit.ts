/**
 * Starting a workflow exactly once. An execute request is not idempotent: sent twice, it starts the
 * workflow twice. So when it may have started a job whose id we did not get (its answer was lost
 * after it was sent, the server refused it with 5xx or 429, or answered 2xx without a job id), the
 * request is not simply repeated: the server's own job list is asked whether a job of that
 * workflow was submitted since the request. Found, the job is adopted; the list answers and shows
 * none, the request is sent again (with backoff, within the same time budget as other retries) —
 * unless the server had said it accepted it; the list cannot be read, or shows a job that could be
 * ours without proof either way, the workflow fails with a message that it may have started and
 * must be checked in Data Studio. Once the run is stopping, nothing more is sent.
 */
import { ApiError, type DataStudioApi } from './client.js'
import type { JobStatus } from './contract.js'
import { getErrorMessage } from './errors.js'
import type { PlannedWorkflow } from './plan.js'
import { backoffDelay, DEFAULT_RETRY_POLICY, sleep, type RetryPolicy } from './retry.js'

/**
 * The server stamps jobs with its clock; the runner's may differ. The offset is read from the
 * server's Date header, which has one-second resolution, so a little slack is allowed.
 */
export const CLOCK_TOLERANCE_MS = 2_000

/**
 * The request may have started a job whose id we did not get: its answer was lost after it was
 * sent (a reset, a timeout, a 5xx), the server refused it with 429 (the contract allows a resend
 * only when nothing reached the server), or it answered 2xx without a readable job id.
 */
function answerLost(error: unknown): error is ApiError {
  if (!(error instanceof ApiError) || !error.mayHaveReachedServer) return false
  const status = error.status ?? 0
  return (
    error.kind === 'network' ||
    error.kind === 'timeout' ||
    error.kind === 'answer' ||
    status === 429 ||
    status >= 500
  )
}

/** When the server says it accepted the request, a job list that shows none is not believed. */
function acceptedByServer(error: ApiError): boolean {
  return error.kind === 'answer'
}

/** Thrown instead of sending an execute once the run (or the phase) is stopping. */
export class StoppedBeforeStart extends Error {
  constructor(workflow: string) {
    super(`'${workflow}' was not started: the run is stopping`)
    this.name = 'StoppedBeforeStart'
  }
}

/** When the server says a job was submitted: submittedAt, else startedAt. */
function stampOf(job: JobStatus): number | undefined {
  return (job.submittedAt ?? job.startedAt)?.getTime()
}

/**
 * The job that a lost request started, if the list shows one; `undefined` if it shows none;
 * 'unknown' if a job in the list could be ours and nothing proves it is not (no timestamp, or
 * no id to follow it by).
 */
export function findSubmittedJob(
  jobs: JobStatus[],
  workflow: string,
  sentAtServerMs: number
): JobStatus | 'unknown' | undefined {
  const mine = jobs.filter(job => job.workflow === undefined || job.workflow === workflow)
  if (mine.some(job => stampOf(job) === undefined)) return 'unknown'
  const since = sentAtServerMs - CLOCK_TOLERANCE_MS
  const started = mine
    .filter(job => (stampOf(job) ?? 0) >= since)
    .sort((a, b) => (stampOf(a) ?? 0) - (stampOf(b) ?? 0))
  // The earliest job since the request is ours: any later one was started by someone else.
  const ours = started[0]
  if (ours === undefined) return undefined
  return ours.jobId === '' ? 'unknown' : ours
}

const CHECK_THERE =
  'the workflow may have started in Data Studio: check its jobs there before running it again.'

/** Executes a workflow and returns its job id; throws an ApiError a person can act on. */
export async function submitWorkflow(
  api: DataStudioApi,
  workflow: PlannedWorkflow,
  signal: AbortSignal,
  notice: (message: string) => void,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY
): Promise<string> {
  const firstTry = Date.now()
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw new StoppedBeforeStart(workflow.workflow)
    const sentAt = Date.now()
    try {
      return await api.execute(workflow, signal)
    } catch (error) {
      if (!answerLost(error)) throw error
      let jobs: JobStatus[]
      try {
        jobs = await api.listJobs(workflow.workflow, signal)
      } catch (listError) {
        throw new ApiError(
          `${error.message} The answer to the execute request was lost and the job list could ` +
            `not be read (${getErrorMessage(listError)}), so ${CHECK_THERE}`,
          error.kind,
          true,
          error.status
        )
      }
      const found = findSubmittedJob(jobs, workflow.workflow, sentAt + api.serverClockOffsetMs())
      if (found === 'unknown') {
        throw new ApiError(
          `${error.message} The answer to the execute request was lost and the job list shows a ` +
            `job of '${workflow.workflow}' without a submission time or an id, so ${CHECK_THERE}`,
          error.kind,
          true,
          error.status
        )
      }
      if (found !== undefined) {
        notice(
          `the answer to the execute request was lost (${error.message}); the job list shows ` +
            `job ${found.jobId}, submitted since the request: following it`
        )
        return found.jobId
      }
      if (acceptedByServer(error)) {
        throw new ApiError(
          `${error.message} Data Studio accepted the execute request (${error.status ?? 'no status'}) ` +
            `but named no job, and the job list shows none since, so ${CHECK_THERE}`,
          error.kind,
          true,
          error.status
        )
      }
      const delay = backoffDelay(attempt - 1, policy, error.retryAfterMs)
      if (Date.now() + delay - firstTry > policy.budgetMs || signal.aborted) {
        throw new ApiError(
          `${error.message} The job list showed no job after ${attempt} execute requests whose ` +
            'answers were lost; the workflow was not started.',
          error.kind,
          true,
          error.status
        )
      }
      notice(
        `the answer to the execute request was lost (${error.message}); the job list shows no ` +
          `job of '${workflow.workflow}' since the request, so it is sent again (attempt ${attempt + 1})`
      )
      await sleep(delay, signal)
    }
  }
}
