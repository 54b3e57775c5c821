/**
 * End to end: the CLI bundle, dist/cli/index.js, run as a process the way cron or Task Scheduler
 * runs it, against the simulator over real HTTP on loopback. Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import packageJson from '../package.json' with { type: 'json' }
import type { RunningSimulator } from '../src/simulator/server.js'
import { startTestSimulator } from './fixtures/simulator.js'

const CLI_BUNDLE = resolve(import.meta.dirname, '../dist/cli/index.js')
const KEY = 'cli-Secret-Key-4b3a2c'
/** The throw-away CA and the server certificate it signed for 127.0.0.1 (see its README). */
const TLS = new URL('./fixtures/tls/', import.meta.url)

interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

interface CliOptions {
  env?: Record<string, string>
  /** Sends each signal, in order, once stdout matches its `when`. */
  signals?: { name: NodeJS.Signals; when: RegExp }[]
}

/** Runs the bundle with only PATH from this process's environment, plus `env`. */
async function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  if (!existsSync(CLI_BUNDLE)) {
    throw new Error(`${CLI_BUNDLE} does not exist: run npm run build before npm test`)
  }
  const child = spawn(process.execPath, [CLI_BUNDLE, ...args], {
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  const signals = [...(options.signals ?? [])]
  child.stdout.on('data', chunk => {
    stdout += chunk
    const next = signals[0]
    if (next !== undefined && next.when.test(stdout)) {
      signals.shift()
      child.kill(next.name)
    }
  })
  child.stderr.on('data', chunk => (stderr += chunk))
  const code = await new Promise<number | null>(done => child.on('close', done))
  return { code, stdout, stderr }
}

function scenario(workflows: string): string {
  return [
    'environment: default',
    `apiKey: ${KEY}`,
    'defaults:',
    '  queued: 50ms',
    'workflows:',
    workflows
  ].join('\n')
}

const WORKFLOWS = `
  wf1: { duration: 300ms, steps: [{ name: Load customers, rowCount: 1200 }] }
  wf2: { duration: 200ms }
  wf3: { duration: 300ms, steps: [{ name: Validate addresses, rowCount: 900, failedRowCount: 4 }] }
  bad: { duration: 200ms, outcome: FAILED, message: Address rules failed }
  forever: { duration: never }`

let dir: string

function start(text = scenario(WORKFLOWS)): Promise<RunningSimulator> {
  return startTestSimulator(text)
}

/** The key from the environment, as the docs recommend. */
function keyEnv(key = KEY): Record<string, string> {
  return { DATASTUDIO_API_KEY: key }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ds-cli-'))
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('the CLI bundle', () => {
  it('is built: dist/cli/index.js exists (run npm run build)', () => {
    expect(existsSync(CLI_BUNDLE)).toBe(true)
  })

  it('--help lists the flags and exit codes; --version prints package.json version', async () => {
    const help = await runCli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('--server-url <url>')
    expect(help.stdout).toContain('[DATASTUDIO_API_KEY]')
    expect(help.stdout).toContain('--summary-file <path>')
    expect(help.stdout).toContain('130  cancelled')
    expect(help.stderr).toBe('')

    const version = await runCli(['--version'])
    expect(version.code).toBe(0)
    expect(version.stdout).toBe(`datastudio-run ${packageJson.version}\n`)
  })
})

describe('exit codes', () => {
  it('0: runs the plan, logs the engine lines and no workflow commands', async () => {
    const sim = await start()
    const run = await runCli(
      ['--server-url', sim.url, '--phases', 'wf1\nwf2, wf3', '--poll-interval=1s'],
      { env: keyEnv() }
    )

    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('── Phase 1 of 2: wf1 ──\n')
    expect(run.stdout).toContain('── Phase 2 of 2: wf2, wf3 ──\n')
    expect(run.stdout).toMatch(/^\[wf1\] submitted as job \d+$/m)
    expect(run.stdout).toContain('[wf3] [')
    expect(run.stdout).toContain(
      "step 'Validate addresses' COMPLETED (rowCount 900, failedRowCount 4)"
    )
    expect(run.stdout).toMatch(/Result: success — all 3 workflows succeeded/)
    expect(run.stdout).not.toContain('::')
    expect(run.stdout).not.toContain(KEY)
    expect(sim.stats().executions).toEqual({ wf1: 1, wf2: 1, wf3: 1 })
  })

  it('1: a workflow fails; the failure line and an error per workflow go to stderr', async () => {
    const sim = await start()
    const run = await runCli(
      ['--server-url', sim.url, '--phases', 'wf1, bad\nwf2', '--poll-interval', '1s'],
      { env: keyEnv() }
    )

    expect(run.code).toBe(1)
    expect(run.stderr).toContain('error: Data Studio workflow bad: failed: ')
    expect(run.stderr).toContain('Address rules failed')
    expect(run.stderr).toMatch(
      /^error: 1 workflow did not succeed: bad \(failed\); 1 not started: wf2$/m
    )
    expect(run.stdout).toContain('Phase 2 of 2 skipped (wf2)')
    expect(run.stdout).not.toContain('::')
    expect(sim.stats().executions).toEqual({ wf1: 1, bad: 1 })
  })

  it('2: a bad input names it, with its flag and variable, and sends no request', async () => {
    const sim = await start()
    const run = await runCli(
      ['--server-url', sim.url, '--phases', 'wf1', '--max-duration', 'forever'],
      {
        env: keyEnv()
      }
    )

    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(
      "error: Input 'max-duration' is 'forever': expected a number of seconds or a duration such " +
        'as 90s, 10m, 1h30m, 2h or 500ms. (--max-duration or DATASTUDIO_MAX_DURATION; see --help)\n'
    )
    expect(sim.log()).toHaveLength(0)
  })

  it('2: a missing key, and no request', async () => {
    const sim = await start()
    const run = await runCli(['--server-url', sim.url, '--phases', 'wf1'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("Input 'api-key' is required")
    expect(run.stderr).toContain('DATASTUDIO_API_KEY')
    expect(sim.log()).toHaveLength(0)
  })

  it('2: an unknown flag names the nearest known one, and sends no request', async () => {
    const sim = await start()
    const run = await runCli(['--sever-url', sim.url, '--phases', 'wf1'], { env: keyEnv() })
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      "error: Unknown flag '--sever-url'. Did you mean --server-url? See --help for the flags.\n"
    )
    expect(run.stdout).toBe('')
    expect(sim.log()).toHaveLength(0)
  })

  it('3: a wrong key (401)', async () => {
    const sim = await start()
    const run = await runCli(['--server-url', sim.url, '--phases', 'wf1, wf2\nwf3'], {
      env: keyEnv('not-the-key')
    })

    expect(run.code).toBe(3)
    expect(run.stderr).toContain('Data Studio refused the API key (401)')
    expect(sim.stats().executions).toEqual({})
    expect(run.stdout + run.stderr).not.toContain('not-the-key')
  })

  it('3: a server whose TLS certificate is not trusted (loopback, no retries)', async () => {
    // Only loopback: an HTTPS simulator with the test certificate, whose CA the CLI is not given.
    // An untrusted certificate is not retried, so this takes no retry window.
    const sim = await startTestSimulator(scenario(WORKFLOWS), {
      tls: {
        cert: readFileSync(new URL('server.pem', TLS), 'utf8'),
        key: readFileSync(new URL('server.key', TLS), 'utf8')
      }
    })
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:/)
    const started = Date.now()
    const run = await runCli(['--server-url', sim.url, '--phases', 'wf1'], { env: keyEnv() })

    expect(run.code).toBe(3)
    expect(run.stderr).toContain(`the TLS certificate of 127.0.0.1:${sim.port} is not trusted`)
    expect(run.stderr).toContain("pass that CA's certificate in 'ca-certificate'")
    expect(sim.stats().executions).toEqual({})
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('130: SIGINT during a run cancels the running job in Data Studio', async () => {
    const sim = await start()
    const run = await runCli(
      ['--server-url', sim.url, '--phases', 'forever\nwf1', '--poll-interval', '1s'],
      {
        env: keyEnv(),
        signals: [{ name: 'SIGINT', when: /\[forever\] submitted as job/ }]
      }
    )

    expect(run.code).toBe(130)
    expect(run.stdout).toContain(
      'Received SIGINT: cancelling the Data Studio jobs this run started'
    )
    expect(run.stdout).toContain('Result: cancelled')
    expect(sim.stats().jobs.map(j => [j.workflow, j.state])).toEqual([['forever', 'CANCELLED']])
  })

  it('130: SIGTERM (a scheduler stopping the task) does the same', async () => {
    const sim = await start()
    const run = await runCli(['--server-url', sim.url, '--phases', 'forever'], {
      env: keyEnv(),
      signals: [{ name: 'SIGTERM', when: /\[forever\] submitted as job/ }]
    })
    expect(run.code).toBe(130)
    expect(sim.stats().jobs.map(j => j.state)).toEqual(['CANCELLED'])
  })

  it('130 at once on a second SIGINT, while the cancel requests are still waiting', async () => {
    const sim = await start(
      scenario(WORKFLOWS).replace('workflows:', 'faults:\n  cancel:\n    latency: 20s\nworkflows:')
    )
    const started = Date.now()
    const run = await runCli(['--server-url', sim.url, '--phases', 'forever'], {
      env: keyEnv(),
      signals: [
        { name: 'SIGINT', when: /\[forever\] submitted as job/ },
        { name: 'SIGINT', when: /Received SIGINT: cancelling/ }
      ]
    })
    expect(run.code).toBe(130)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(run.stderr).toContain('warning: Received SIGINT again: exiting now')
  })
})

describe('configuration', () => {
  it('reads every setting from DATASTUDIO_ variables instead of flags', async () => {
    const sim = await start()
    const run = await runCli([], {
      env: {
        DATASTUDIO_SERVER_URL: sim.url,
        DATASTUDIO_API_KEY: `${KEY}\r`, // from an env file saved with CRLF
        DATASTUDIO_PHASES: "@('wf1'), @('wf2','wf3')",
        DATASTUDIO_POLL_INTERVAL: '1s',
        DATASTUDIO_MAX_PARALLEL: '1',
        DATASTUDIO_ENVIRONMENT: 'default'
      }
    })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('── Phase 2 of 2: wf2, wf3 ──')
    expect(sim.stats().peakRunning).toBe(1)
  })

  it('a flag wins over its variable', async () => {
    const sim = await start()
    const run = await runCli(['--server-url', sim.url, '--phases', 'wf2'], {
      env: {
        ...keyEnv(),
        // Loopback, nothing listening: were the variable used, the run could not succeed.
        DATASTUDIO_SERVER_URL: 'http://127.0.0.1:9',
        DATASTUDIO_PHASES: 'bad'
      }
    })
    expect(run.code).toBe(0)
    expect(sim.stats().executions).toEqual({ wf2: 1 })
  })

  it('accepts --api-key with a warning to use DATASTUDIO_API_KEY, never printing the key', async () => {
    const sim = await start()
    const run = await runCli([
      '--server-url',
      sim.url,
      '--phases',
      'wf2',
      '--api-key',
      KEY,
      '--debug'
    ])
    expect(run.code).toBe(0)
    expect(run.stderr).toContain('warning: --api-key on the command line is visible')
    expect(run.stderr).toContain('DATASTUDIO_API_KEY')
    expect(run.stderr).toContain('debug: Resolved settings')
    expect(run.stdout + run.stderr).not.toContain(KEY)
  })

  it('--timestamps starts every line with the local time', async () => {
    const sim = await start()
    const run = await runCli(['--server-url', sim.url, '--phases', 'wf2', '--timestamps'], {
      env: keyEnv()
    })
    expect(run.code).toBe(0)
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines.length).toBeGreaterThan(3)
    for (const line of lines) expect(line).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \S/)
  })

  it('--dry-run checks the server and the key and executes nothing', async () => {
    const sim = await start()
    const summaryFile = join(dir, 'dry', 'summary.md')
    const ok = await runCli(
      ['--server-url', sim.url, '--phases', 'wf1\nwf2', '--dry-run', '--summary-file', summaryFile],
      { env: keyEnv() }
    )
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain('Dry run passed')
    expect(readFileSync(summaryFile, 'utf8')).toContain('Dry run passed')
    const refused = await runCli(['--server-url', sim.url, '--phases', 'wf1', '--dry-run'], {
      env: keyEnv('wrong')
    })
    expect(refused.code).toBe(3)
    expect(sim.stats().executions).toEqual({})
  })
})

describe('files', () => {
  it('--summary-file writes the Markdown summary, --output-file the outputs as JSON', async () => {
    const sim = await start()
    const summaryFile = join(dir, 'run', 'nested', 'summary.md')
    const outputFile = join(dir, 'run', 'outputs.json')
    const junitFile = join(dir, 'run', 'junit.xml')
    const run = await runCli(
      [
        '--server-url',
        sim.url,
        '--phases=wf1, bad',
        '--summary-file',
        summaryFile,
        `--output-file=${outputFile}`,
        '--junit-report',
        junitFile
      ],
      { env: keyEnv() }
    )
    expect(run.code).toBe(1)
    const summary = readFileSync(summaryFile, 'utf8')
    expect(summary).toContain('### Phase 1 of 1')
    expect(summary).toContain('Address rules failed')
    expect(run.stdout).toContain(`Summary written to ${summaryFile}`)

    const outputs = JSON.parse(readFileSync(outputFile, 'utf8')) as {
      result: string
      'failed-workflows': string
      'duration-seconds': number
      results: { workflow: string; outcome: string; jobId: string }[]
      'exit-code': number
      failure: string
    }
    expect(outputs.result).toBe('failure')
    expect(outputs['failed-workflows']).toBe('bad')
    expect(typeof outputs['duration-seconds']).toBe('number')
    expect(outputs.results.map(r => [r.workflow, r.outcome])).toEqual([
      ['wf1', 'success'],
      ['bad', 'failed']
    ])
    expect(outputs['exit-code']).toBe(1)
    expect(outputs.failure).toBe('1 workflow did not succeed: bad (failed)')
    const junit = readFileSync(junitFile, 'utf8')
    expect(junit).toContain('<testsuites')

    for (const text of [summary, readFileSync(outputFile, 'utf8'), junit, run.stdout, run.stderr]) {
      expect(text).not.toContain(KEY)
    }
  })

  it('without --summary-file writes no summary', async () => {
    const sim = await start()
    const run = await runCli(['--server-url', sim.url, '--phases', 'wf2'], { env: keyEnv() })
    expect(run.code).toBe(0)
    expect(run.stdout).not.toContain('Summary written')
  })

  it('--output-file is written on a bad input too, with the reason', async () => {
    const outputFile = join(dir, 'bad', 'outputs.json')
    const run = await runCli(['--phases', 'wf1', '--output-file', outputFile], { env: keyEnv() })
    expect(run.code).toBe(2)
    const outputs = JSON.parse(readFileSync(outputFile, 'utf8')) as Record<string, unknown>
    expect(outputs).toEqual({
      result: 'failure',
      'failed-workflows': '',
      'duration-seconds': 0,
      results: [],
      'exit-code': 2,
      failure: "Input 'server-url' is required and was not given."
    })
  })

  it('reads a plan file given by path', async () => {
    const sim = await start()
    const planFile = join(dir, 'plan.yml')
    writeFileSync(planFile, 'phases:\r\n  - [wf1]\r\n  - [wf2, wf3]\r\n')
    const run = await runCli(
      ['--server-url', sim.url, '--plan', planFile, '--poll-interval', '1s'],
      {
        env: keyEnv()
      }
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(sim.stats().executions).toEqual({ wf1: 1, wf2: 1, wf3: 1 })
  })
})
