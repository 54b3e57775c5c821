/**
 * Starting a workflow exactly once. An execute request is not idempotent: sent twice, it starts the
 * workflow twice. So when its answer is lost after it was sent (a reset, a timeout, a 5xx), the
 * request is not simply repeated: the server's own job list is asked whether a job of that
 * workflow was submitted since the request. Found, the job is adopted; the list answers and shows
 * none, the request is sent again (with backoff, within the same time budget as other retries);
 * the list cannot be read, the workflow fails with a message that it may have started and must be
 * checked in Data Studio.
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

/** The answer was lost after the request may have arrived: the job may exist. */
function answerLost(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    error.mayHaveReachedServer &&
    (error.kind === 'network' || error.kind === 'timeout' || (error.status ?? 0) >= 500)
  )
}

/** The job that a lost request started, if the list shows one; `undefined` if it shows none. */
export function findSubmittedJob(
  jobs: JobStatus[],
  workflow: string,
  sentAtServerMs: number
): JobStatus | 'unknown' | undefined {
  const mine = jobs.filter(job => job.workflow === undefined || job.workflow === workflow)
  const since = sentAtServerMs - CLOCK_TOLERANCE_MS
  const started = mine
    .filter(job => job.submittedAt !== undefined && job.submittedAt.getTime() >= since)
    .sort((a, b) => (a.submittedAt?.getTime() ?? 0) - (b.submittedAt?.getTime() ?? 0))
  // The earliest job since the request is ours: any later one was started by someone else.
  if (started.length > 0) return started[0]
  // A running job with no submission time could be ours; nothing proves it is not.
  if (mine.some(job => job.submittedAt === undefined && job.stateClass === 'active')) {
    return 'unknown'
  }
  return undefined
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
            `running job of '${workflow.workflow}' without a submission time, so ${CHECK_THERE}`,
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
