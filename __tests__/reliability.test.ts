/**
 * Reliability and security, end to end: the committed dist/index.js as a process against the
 * simulator with its fault knobs on. What the server saw comes from its request log and stats.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { connect, createServer, type Server } from 'node:net'
import { phasesOrdered } from '../src/simulator/log.js'
import type { RunningSimulator } from '../src/simulator/server.js'
import { POST_BUNDLE, runAction } from './fixtures/action-process.js'
import { startTestSimulator } from './fixtures/simulator.js'

const KEY = 'reliability-Key-5b4a39'
const VENDOR = [['wf1'], ['wf2', 'wf3', 'wf4'], ['wf5', 'wf6'], ['wf7']]
const VENDOR_INPUT = "@('wf1'), @('wf2','wf3','wf4'), @('wf5','wf6'), @('wf7')"
const TLS = new URL('./fixtures/tls/', import.meta.url)

function scenario(
  body: string,
  workflows = VENDOR.flat()
    .map(w => `  ${w}: { duration: 400ms }`)
    .join('\n')
): string {
  return [
    'environment: default',
    `apiKey: ${KEY}`,
    'seed: 7',
    'defaults:',
    '  queued: 50ms',
    body,
    'workflows:',
    workflows
  ].join('\n')
}

const servers: Server[] = []

function start(text: string, tls = false): Promise<RunningSimulator> {
  return startTestSimulator(text, {
    ...(tls
      ? {
          tls: {
            cert: readFileSync(new URL('server.pem', TLS), 'utf8'),
            key: readFileSync(new URL('server.key', TLS), 'utf8')
          }
        }
      : {})
  })
}

function inputs(sim: RunningSimulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'server-url': sim.url,
    'api-key': KEY,
    phases: VENDOR_INPUT,
    'poll-interval': '1s',
    ...extra
  }
}

/** Every workflow has exactly one job on the server. */
function executedOnce(sim: RunningSimulator, labels = VENDOR.flat()): void {
  expect(sim.stats().executions).toEqual(Object.fromEntries(labels.map(w => [w, 1])))
}

afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

describe('transient faults', () => {
  it('completes the four-phase plan with 30% of status requests failing', async () => {
    const sim = await start(
      scenario('faults:\n  job: { errorRate: 0.3, errorCodes: [500, 502, 503, 504] }')
    )
    const run = await runAction(inputs(sim))

    expect(run.code).toBe(0)
    expect(run.outputs.result).toBe('success')
    const failedPolls = sim.log().filter(e => e.route === 'job' && e.fault === 'error')
    expect(failedPolls.length).toBeGreaterThan(0)
    expect(run.stdout).toContain('↻ GET jobs/')
    executedOnce(sim)
    expect(phasesOrdered(sim.stats().jobs, VENDOR).ok).toBe(true)
  })

  it('survives 429s with Retry-After and dropped connections on status requests', async () => {
    const sim = await start(
      scenario('faults:\n  job: { rateLimitRate: 0.2, retryAfter: 1, dropRate: 0.15 }')
    )
    const run = await runAction(inputs(sim))

    expect(run.code).toBe(0)
    expect(sim.log().some(e => e.fault === 'rate-limit')).toBe(true)
    expect(sim.log().some(e => e.status === 'dropped')).toBe(true)
    executedOnce(sim)
  })

  it('adopts the job when the execute answer is dropped after the job was created', async () => {
    const sim = await start(scenario('faults:\n  execute: { acceptThenDrop: { first: 2 } }'))
    const run = await runAction(inputs(sim))

    expect(run.code).toBe(0)
    expect(sim.log().filter(e => e.fault === 'accept-then-drop')).toHaveLength(2)
    expect(run.stdout).toContain('submitted since the request: following it')
    executedOnce(sim)
  })

  it('sends an execute again only after the job list shows it started nothing', async () => {
    const sim = await start(scenario('faults:\n  execute: { errorRate: 0.5, errorCodes: [503] }'))
    const run = await runAction(inputs(sim))

    expect(run.code).toBe(0)
    const refused = sim.log().filter(e => e.route === 'execute' && e.fault === 'error')
    expect(refused.length).toBeGreaterThan(0)
    // Every refused execute was followed by a look at that workflow's job list before the
    // workflow's next execute.
    const log = sim.log()
    log.forEach((entry, i) => {
      if (entry.route !== 'execute' || entry.fault !== 'error') return
      const later = log.slice(i + 1).filter(e => e.workflow === entry.workflow)
      const nextExecute = later.findIndex(e => e.route === 'execute')
      const listed = later.findIndex(e => e.route === 'jobs')
      expect(listed).toBeGreaterThanOrEqual(0)
      if (nextExecute >= 0) expect(listed).toBeLessThan(nextExecute)
    })
    executedOnce(sim)
  })

  it('waits out a 60-second outage in the middle of the run', async () => {
    const sim = await start(
      scenario(
        'downtime: { start: 2s, duration: 60s, mode: 503 }',
        VENDOR.flat()
          .map(w => `  ${w}: { duration: 1500ms }`)
          .join('\n')
      )
    )
    const run = await runAction(inputs(sim))

    expect(run.code).toBe(0)
    expect(run.outputs.result).toBe('success')
    expect(sim.log().filter(e => e.fault === 'downtime').length).toBeGreaterThan(3)
    executedOnce(sim)
    expect(phasesOrdered(sim.stats().jobs, VENDOR).ok).toBe(true)
  }, 180_000)
})

describe('cancellation', () => {
  // The runner sends SIGINT, then SIGTERM 7.5 s later, then kills the process.
  const RUNNER_GRACE_MS = 7_500

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'on %s cancels every running job, reports cancelled and exits non-zero',
    async name => {
      const sim = await start(
        scenario(
          '',
          ['  a: { duration: never }', '  b: { duration: never }', '  c: { duration: 1s }'].join(
            '\n'
          )
        )
      )
      const run = await runAction(inputs(sim, { phases: 'a, b\nc' }), {
        signal: { name, when: /\[b\] submitted as job/ }
      })

      expect(run.code).toBe(1)
      expect(run.outputs.result).toBe('cancelled')
      expect(run.exitAfterSignalMs).toBeLessThan(RUNNER_GRACE_MS)
      expect(sim.stats().jobs.map(j => [j.workflow, j.state])).toEqual([
        ['a', 'CANCELLED'],
        ['b', 'CANCELLED']
      ])
      const results = JSON.parse(run.outputs.results ?? '[]') as { state: string }[]
      // The state the cancel answered with, not the last one polled.
      expect(results.map(r => r.state)).toEqual(['CANCELLED', 'CANCELLED', null])
    }
  )

  it('on SIGTERM does not wait for a status request that hangs', async () => {
    const sim = await start(
      scenario('faults:\n  job: { latency: 60s }', '  a: { duration: never }')
    )
    const run = await runAction(inputs(sim, { phases: 'a', 'request-timeout': '90s' }), {
      // By then the first status request (sent at 0.4 s) is waiting for its answer.
      signal: { name: 'SIGTERM', when: /\[a\] submitted as job/, afterMs: 1_500 }
    })

    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('cancelled')
    expect(run.exitAfterSignalMs).toBeLessThan(RUNNER_GRACE_MS)
    expect(sim.stats().jobs.map(j => j.state)).toEqual(['CANCELLED'])
    expect(run.stdout).not.toContain('GET jobs/')
  })

  it('on SIGTERM the summary, outputs and state say what was cancelled', async () => {
    const sim = await start(
      scenario(
        '',
        ['  a: { duration: never }', '  b: { duration: never }', '  c: { duration: 1s }'].join('\n')
      )
    )
    const run = await runAction(inputs(sim, { phases: 'a, b\nc' }), {
      signal: { name: 'SIGTERM', when: /\[b\] submitted as job/ }
    })

    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('cancelled')
    const jobs = sim.stats().jobs
    expect(jobs.map(j => [j.workflow, j.state])).toEqual([
      ['a', 'CANCELLED'],
      ['b', 'CANCELLED']
    ])
    expect(run.summary).toContain('🛑 Data Studio run cancelled')
    const results = JSON.parse(run.outputs.results ?? '[]') as { outcome: string }[]
    expect(results.map(r => r.outcome)).toEqual(['cancelled', 'cancelled', 'skipped'])
    // Nothing is left for the post step.
    expect(JSON.parse(run.state.activeJobs ?? '[]')).toEqual([])
  })

  it('the post step cancels what a killed main step left running', async () => {
    const sim = await start(scenario('', '  a: { duration: never }\n  b: { duration: 100ms }'))
    const main = await runAction(inputs(sim, { phases: 'a, b' }), {
      signal: { name: 'SIGKILL', when: /\[b\] ✅ success/ }
    })
    expect(main.code).toBeNull() // killed
    const saved = JSON.parse(main.state.activeJobs ?? '[]') as { jobId: string; workflow: string }[]
    expect(saved.map(j => j.workflow)).toEqual(['a'])
    expect(main.state.activeJobs).not.toContain(KEY)

    const post = await runAction(inputs(sim, { phases: 'a, b' }), {
      script: POST_BUNDLE,
      state: { activeJobs: main.state.activeJobs ?? '' }
    })
    expect(post.code).toBe(0)
    expect(post.stdout).toContain(`[a] job ${saved[0]?.jobId} cancelled`)
    expect(sim.stats().jobs.find(j => j.workflow === 'a')?.state).toBe('CANCELLED')
  })

  it('a post step with nothing to do is silent', async () => {
    const sim = await start(scenario(''))
    const post = await runAction(inputs(sim), { script: POST_BUNDLE, state: { activeJobs: '[]' } })
    expect(post.code).toBe(0)
    expect(post.stdout).toBe('')
    expect(sim.log()).toHaveLength(0)
  })

  it('a post step whose main step saved nothing (killed at once) runs nothing', async () => {
    const sim = await start(scenario(''))
    const post = await runAction(inputs(sim), { script: POST_BUNDLE, state: {} })
    expect(post.code).toBe(0)
    expect(post.stdout).toBe('')
    expect(sim.log()).toHaveLength(0)
  })

  it('with cancel-on-failure, cancels the failing phase siblings in Data Studio', async () => {
    const sim = await start(
      scenario(
        '',
        '  bad: { duration: 300ms, outcome: FAILED }\n  slow: { duration: never }\n  later: { duration: 1s }'
      )
    )
    const run = await runAction(
      inputs(sim, { phases: 'bad, slow\nlater', 'cancel-on-failure': 'true' })
    )

    expect(run.code).toBe(1)
    expect(sim.stats().jobs.map(j => [j.workflow, j.state])).toEqual([
      ['bad', 'FAILED'],
      ['slow', 'CANCELLED']
    ])
    expect(run.stdout).toContain('stopped because bad failed and cancel-on-failure is on')
  })
})

describe('TLS and proxies', () => {
  const ca = readFileSync(new URL('ca.pem', TLS), 'utf8')

  it('trusts a server signed by the CA given in ca-certificate (PEM text)', async () => {
    const sim = await start(scenario(''), true)
    const run = await runAction(inputs(sim, { phases: 'wf1', 'ca-certificate': ca }))
    expect(sim.url).toMatch(/^https:/)
    expect(run.code).toBe(0)
  })

  it('reads ca-certificate from a file path too', async () => {
    const sim = await start(scenario(''), true)
    const path = new URL('ca.pem', TLS).pathname
    const run = await runAction(inputs(sim, { phases: 'wf1', 'ca-certificate': path }))
    expect(run.code).toBe(0)
  })

  it('explains an untrusted certificate and names ca-certificate as the fix', async () => {
    const sim = await start(scenario(''), true)
    const run = await runAction(inputs(sim))

    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(
      /the TLS certificate of 127\.0\.0\.1:\d+ is not trusted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/
    )
    expect(run.stdout).toContain("pass that CA's certificate in 'ca-certificate'")
    // Every later workflow is left alone: the same certificate would fail them too.
    expect(sim.stats().executions).toEqual({})
    expect(
      JSON.parse(run.outputs.results ?? '[]').filter(
        (r: { outcome: string }) => r.outcome === 'skipped'
      )
    ).toHaveLength(6)
  })

  it('with insecure-skip-tls-verify, connects and warns in the log and the summary', async () => {
    const sim = await start(scenario(''), true)
    const run = await runAction(inputs(sim, { phases: 'wf1', 'insecure-skip-tls-verify': 'true' }))

    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      "::warning::TLS certificate verification is off ('insecure-skip-tls-verify: true')"
    )
    expect(run.summary).toContain('> [!WARNING]')
  })

  /** A CONNECT proxy that knows one host name, which nothing else can resolve. */
  async function startProxy(sim: RunningSimulator): Promise<{ url: string; tunnels: string[] }> {
    const tunnels: string[] = []
    const proxy = createServer(socket => {
      socket.once('data', head => {
        const target = /^CONNECT (\S+) HTTP/.exec(head.toString())?.[1]
        tunnels.push(target ?? '?')
        if (target !== `datastudio.internal:${sim.port}`) {
          socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n')
          return
        }
        const upstream = connect(sim.port, '127.0.0.1', () => {
          socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
          upstream.pipe(socket)
          socket.pipe(upstream)
        })
        upstream.on('error', () => socket.destroy())
        socket.on('error', () => upstream.destroy())
      })
    })
    servers.push(proxy)
    proxy.listen(0, '127.0.0.1')
    await once(proxy, 'listening')
    return { url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`, tunnels }
  }

  it('goes through the proxy in HTTP_PROXY, and around it for NO_PROXY hosts', async () => {
    const sim = await start(scenario(''))
    const proxy = await startProxy(sim)
    const internal = {
      ...inputs(sim),
      'server-url': `http://datastudio.internal:${sim.port}`,
      phases: 'wf1'
    }

    const proxied = await runAction(internal, {
      env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url }
    })
    expect(proxied.code).toBe(0)
    expect(proxy.tunnels.length).toBeGreaterThan(0)
    expect(new Set(proxy.tunnels)).toEqual(new Set([`datastudio.internal:${sim.port}`]))

    proxy.tunnels.length = 0
    const bypassed = await runAction(internal, {
      env: { HTTP_PROXY: proxy.url, NO_PROXY: 'datastudio.internal' }
    })
    expect(bypassed.code).toBe(1)
    expect(proxy.tunnels).toEqual([])
    expect(bypassed.stdout).toMatch(/datastudio\.internal/)
  })

  it('trusts ca-certificate through an HTTPS_PROXY tunnel too', async () => {
    const sim = await start(scenario(''), true)
    const proxy = await startProxy(sim)
    const run = await runAction(
      {
        ...inputs(sim),
        'server-url': `https://datastudio.internal:${sim.port}`,
        phases: 'wf1',
        'ca-certificate': ca
      },
      { env: { HTTPS_PROXY: proxy.url } }
    )
    expect(run.code).toBe(0)
    expect(proxy.tunnels.length).toBeGreaterThan(0)
  })
})

describe('the API key', () => {
  it('is absent from every byte written, with debug logging on and a server that echoes it', async () => {
    const sim = await start(
      scenario(
        'echoAuthorization: true',
        '  wf1: { duration: 200ms, outcome: FAILED, message: failed }'
      )
    )
    const env = { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' }
    const good = await runAction(inputs(sim, { phases: 'wf1, typo' }), { env })
    const refused = await runAction(inputs(sim, { 'api-key': `${KEY}-wrong` }), { env })

    for (const run of [good, refused]) {
      expect(run.stdout).toContain('::debug::')
      expect(run.everything).not.toContain(KEY)
    }
    expect(good.masked).toEqual([KEY])
    expect(refused.stdout).toContain('Authorization received: default ***')
  })
})
