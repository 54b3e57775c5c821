// Shared helpers of the benchmark (bench/run.mjs): start the simulator bundle, run a process the
// way a GitHub runner runs an action, sample its memory, count its TCP connections, and small
// statistics. Node builtins only; everything talks to 127.0.0.1.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { cpus, platform, release, tmpdir, totalmem, type } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const SIMULATOR_BUNDLE = join(root, 'dist', 'simulator', 'index.js')
export const ACTION_BUNDLE = join(root, 'dist', 'index.js')
export const BASELINE_SCRIPT = join(root, 'bench', 'baseline.mjs')
/** The simulator's key for the benchmark's scenarios; it guards nothing real. */
export const API_KEY = 'bench-key-not-secret'
export const ENVIRONMENT = 'default'

let simulatorBundle = SIMULATOR_BUNDLE

function git(argv) {
  return execFileSync('git', argv, {
    cwd: root,
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore']
  })
}

/**
 * Copies the bundles to measure into a temporary directory and runs those copies, so that a
 * rebuild of dist/ by someone else during the bench cannot change what is measured halfway. By
 * default both are the versions committed at HEAD (dist/ in the working tree may hold someone's
 * unfinished build); `actionFile` measures another build of the action instead, such as a
 * modified copy of the repository. The simulator is always HEAD's (or the working tree's outside
 * git). Returns the copied action's path and a description of what it is.
 */
export function snapshotBundles(actionFile) {
  const dir = mkdtempSync(join(tmpdir(), 'ds-bench-dist-'))
  let head
  try {
    head = git(['log', '-1', '--format=%h %cI']).toString().trim()
  } catch {
    head = undefined
  }
  /** Writes <name>/index.js and its package.json (the "type": "module" that makes it ESM). */
  const place = (name, read) => {
    mkdirSync(join(dir, name))
    for (const file of ['index.js', 'package.json']) {
      const content = read(file)
      if (content !== undefined) writeFileSync(join(dir, name, file), content)
    }
    return join(dir, name, 'index.js')
  }
  const committed = distDir => file =>
    head === undefined
      ? readIfExists(join(root, distDir, file))
      : git(['show', `HEAD:${distDir}/${file}`])
  simulatorBundle = place('simulator', committed('dist/simulator'))
  const action =
    actionFile === undefined
      ? place('action', committed('dist'))
      : place('action', file =>
          readIfExists(file === 'index.js' ? actionFile : join(dirname(actionFile), file))
        )
  const what =
    actionFile !== undefined
      ? actionFile.startsWith(root + sep) && head !== undefined
        ? `\`${relative(root, actionFile)}\` built from the working tree at HEAD ${head}, given with --action`
        : `\`${actionFile}\`, a build given with --action`
      : head === undefined
        ? '`dist/index.js` of the working tree (not a git checkout)'
        : `\`dist/index.js\` as committed at HEAD ${head} (last changed in ${git(['log', '-1', '--format=%h', '--', 'dist/index.js']).toString().trim()})`
  return {
    action,
    what,
    cleanup: () => rmSync(dir, { recursive: true, force: true })
  }
}

function readIfExists(file) {
  return existsSync(file) ? readFileSync(file) : undefined
}

/** Progress goes to stderr so that stdout carries only the table. */
export function progress(message) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`)
}

export function sleep(ms) {
  return new Promise(done => setTimeout(done, ms))
}

export function median(values) {
  const sorted = values.filter(v => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export function machine() {
  const list = cpus()
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    os: `${type()} ${release()} (${platform()})`
  }
}

/** Durations as the scenario file takes them: milliseconds with a unit. */
export function ms(value) {
  return `${Math.round(value)}ms`
}

/**
 * Starts dist/simulator/index.js on a free loopback port with the given scenario (an object,
 * written as JSON into a temporary directory) and resolves once it prints where it listens.
 */
export async function startSimulator(scenario) {
  const dir = mkdtempSync(join(tmpdir(), 'ds-bench-sim-'))
  const file = join(dir, 'scenario.json')
  writeFileSync(file, JSON.stringify({ apiKey: API_KEY, environment: ENVIRONMENT, ...scenario }))
  const child = spawn(
    process.execPath,
    [simulatorBundle, '--scenario', file, '--port', '0', '--host', '127.0.0.1'],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let stderr = ''
  child.stderr.on('data', chunk => (stderr += chunk))
  const url = await new Promise((resolveUrl, reject) => {
    let seen = ''
    const timer = setTimeout(
      () => reject(new Error('the simulator did not listen within 10 s')),
      10_000
    )
    child.stdout.on('data', chunk => {
      seen += chunk
      const match = /listening on (http:\/\/\S+)/.exec(seen)
      if (match) {
        clearTimeout(timer)
        resolveUrl(match[1])
      }
    })
    child.on('exit', code => {
      clearTimeout(timer)
      reject(new Error(`the simulator exited (${code}) before listening: ${stderr.trim()}`))
    })
  })
  const exited = new Promise(done => child.on('exit', done))
  const getJson = async path => {
    const response = await fetch(url + path, { signal: AbortSignal.timeout(10_000) })
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`)
    return response.json()
  }
  return {
    url,
    port: Number(new URL(url).port),
    /** The request log, oldest first (GET /_sim/log). */
    log: () => getJson('/_sim/log'),
    /** Jobs with their configured submission and end, and peakRunning (GET /_sim/stats). */
    stats: () => getJson('/_sim/stats'),
    async stop() {
      child.kill('SIGTERM')
      await Promise.race([exited, sleep(5_000)])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** VmHWM (peak resident set) and VmRSS of a live process, in KiB; undefined once it is gone. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const read = name => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1])
    return { hwm: read('VmHWM'), rss: read('VmRSS') }
  } catch {
    return undefined
  }
}

/**
 * Runs a script as a runner runs an action: a child process with INPUT_* variables and
 * GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_STATE pointing at files (as scripts/demo.mjs and
 * __tests__/fixtures/action-process.ts do). Resolves with its exit code, wall time (spawn to exit)
 * and memory sampled every 100 ms. It is killed after timeoutMs, so no run can hang the bench.
 */
export async function runProcess(script, inputs, { timeoutMs = 300_000, env: extraEnv = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ds-bench-run-'))
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    GITHUB_STATE: join(dir, 'state')
  }
  for (const file of Object.values(files)) writeFileSync(file, '')
  const env = { PATH: process.env.PATH ?? '', ...files, ...extraEnv }
  for (const [name, value] of Object.entries(inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  const spawnedAt = Date.now()
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', chunk => (stdout += chunk))
  child.stderr.on('data', chunk => (stderr += chunk))
  let peakKiB = 0
  let lastRssKiB = 0
  const rssSamples = []
  const sample = () => {
    const memory = memoryOf(child.pid)
    if (memory === undefined) return
    peakKiB = Math.max(peakKiB, memory.hwm || 0, memory.rss || 0)
    lastRssKiB = memory.rss || lastRssKiB
    rssSamples.push(memory.rss)
  }
  const sampler = setInterval(sample, 100)
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const exit = await new Promise(done => {
    child.on('exit', (code, signal) => {
      done({ code, signal, exitedAt: Date.now() })
    })
  })
  clearInterval(sampler)
  clearTimeout(killer)
  await new Promise(done => (child.stdout.readableEnded ? done() : child.stdout.on('close', done)))
  const outputs = readFileSync(files.GITHUB_OUTPUT, 'utf8')
  rmSync(dir, { recursive: true, force: true })
  return {
    code: exit.code,
    signal: exit.signal,
    spawnedAt,
    exitedAt: exit.exitedAt,
    wallMs: exit.exitedAt - spawnedAt,
    result: /^result<<(.+)\n(.*)\n\1$/m.exec(outputs)?.[2],
    peakKiB,
    lastRssKiB,
    rssSamples,
    stdout,
    stderr
  }
}

/**
 * A TCP pass-through in front of the simulator that counts the connections its client opens and
 * the most open at once — the simulator's log records requests, not connections. It adds one
 * loopback hop (well under a millisecond a request).
 */
export async function startConnectionCounter(targetPort) {
  const counts = { opened: 0, open: 0, peakOpen: 0 }
  const sockets = new Set()
  const server = createServer(client => {
    counts.opened++
    counts.open++
    counts.peakOpen = Math.max(counts.peakOpen, counts.open)
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort })
    sockets.add(client).add(upstream)
    client.pipe(upstream).pipe(client)
    const close = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', close).on('close', close)
    upstream.on('error', close).on('close', close)
    client.once('close', () => {
      counts.open--
      sockets.delete(client)
      sockets.delete(upstream)
    })
  })
  await new Promise(done => server.listen(0, '127.0.0.1', done))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    counts,
    async stop() {
      for (const socket of sockets) socket.destroy()
      await new Promise(done => server.close(done))
    }
  }
}

/** Times of a request-log entry, in ms since the epoch. */
export function entryMs(entry) {
  return new Date(entry.time).getTime()
}

/**
 * The critical path of one phase: jobs of queued+duration ms taken in plan order by the first of
 * `slots` free slots (greedy list scheduling, which is what the runner's worker pool does).
 */
export function listScheduleMs(jobMs, slots) {
  const free = new Array(Math.min(slots, jobMs.length)).fill(0)
  for (const length of jobMs) {
    let best = 0
    for (let i = 1; i < free.length; i++) if (free[i] < free[best]) best = i
    free[best] += length
  }
  return Math.max(0, ...free)
}
