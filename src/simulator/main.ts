/**
 * Command-line entry point of the simulator (bundled by ncc into dist/simulator/index.js).
 * Deliberately thin: arguments, scenario and server all live in modules tests import.
 */
import { readFileSync } from 'node:fs'
import { listeningLine, parseSimulatorArgs, USAGE, UsageError } from './args.js'
import { parseScenarioText, ScenarioError } from './scenario.js'
import { startSimulator } from './server.js'

function exitWith(message: string, code: number): never {
  process.stderr.write(`${message}\n`)
  process.exit(code)
}

async function main(): Promise<void> {
  let args
  try {
    args = parseSimulatorArgs(process.argv.slice(2))
  } catch (error) {
    if (error instanceof UsageError) exitWith(`${error.message}\n\n${USAGE}`, 2)
    throw error
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  let scenario
  try {
    scenario = parseScenarioText(readFileSync(args.scenarioFile, 'utf8'), args.scenarioFile)
  } catch (error) {
    if (error instanceof ScenarioError) exitWith(error.message, 2)
    const reason = error instanceof Error ? error.message : String(error)
    exitWith(`cannot read the scenario ${args.scenarioFile}: ${reason}`, 2)
  }
  const simulator = await startSimulator(scenario, {
    port: args.port,
    host: args.host,
    requestLogFile: args.requestLogFile,
    ...(args.tlsCertFile !== undefined && args.tlsKeyFile !== undefined
      ? {
          tls: {
            cert: readFileSync(args.tlsCertFile, 'utf8'),
            key: readFileSync(args.tlsKeyFile, 'utf8')
          }
        }
      : {})
  })
  process.stdout.write(`${listeningLine(simulator.url)}\n`)
  // The rest goes to stderr so stdout stays one line; the key itself is never printed.
  const workflows = Object.keys(scenario.workflows)
  process.stderr.write(
    [
      `API root: ${simulator.apiRoot}`,
      `Expects: Authorization: ${scenario.environment} <the scenario's apiKey>`,
      `Workflows: ${workflows.length > 0 ? workflows.join(', ') : '(none listed)'}${scenario.wildcard ? ' and any other label ("*")' : ''}`,
      args.requestLogFile === undefined ? '' : `Request log: ${args.requestLogFile}`,
      'Stats: GET /_sim/stats, log: GET /_sim/log. Ctrl-C stops.'
    ]
      .filter(line => line !== '')
      .join('\n') + '\n'
  )
  const stop = (): void => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(0)
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error: unknown) => {
  const reason = error instanceof Error ? error.message : String(error)
  exitWith(`simulator failed: ${reason}`, 1)
})
