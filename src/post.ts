/**
 * The post step (post-if: always()): when the main step was killed before it could cancel its
 * jobs, cancel whatever it left running. With nothing to do it writes nothing at all.
 */
import * as core from '@actions/core'
import { DataStudioClient } from './client.js'
import { getErrorMessage } from './errors.js'
import { readConnection } from './connection.js'
import { parseActiveJobs, StateNames } from './state.js'

export async function cleanup(): Promise<void> {
  const jobs = parseActiveJobs(core.getState(StateNames.ActiveJobs))
  if (jobs.length === 0) return
  let client: DataStudioClient
  try {
    const connection = readConnection(name => core.getInput(name))
    core.setSecret(connection.apiKey)
    client = new DataStudioClient(connection)
  } catch (error) {
    core.warning(
      `The main step left ${jobs.length} job(s) running (${jobs.map(j => j.jobId).join(', ')}) ` +
        `and they cannot be cancelled: ${getErrorMessage(error)}`
    )
    return
  }
  core.info(`The main step ended before its jobs did; cancelling ${jobs.length} in Data Studio`)
  try {
    await Promise.all(
      jobs.map(async job => {
        try {
          const answer = await client.cancel(job.jobId)
          if (answer.supported) core.info(`[${job.workflow}] job ${job.jobId} cancelled`)
          else
            core.warning(
              `[${job.workflow}] this Data Studio cannot cancel job ${job.jobId}: stop it there by hand`
            )
        } catch (error) {
          core.warning(
            `[${job.workflow}] could not cancel job ${job.jobId}: ${getErrorMessage(error)}; stop it in Data Studio by hand`
          )
        }
      })
    )
  } finally {
    client.dispose()
  }
}
