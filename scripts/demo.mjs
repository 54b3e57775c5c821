#!/usr/bin/env node
// The demo: starts the simulator with the vendor-shaped sample plan, runs the bundled action
// against it exactly as a GitHub runner would, streams its log, writes the job summary to a file
// and stops the simulator. It uses only Node and the committed dist/ bundles, so it works on a
// fresh clone before `npm install`.
//
//   npm run demo              all seven workflows succeed; exits 0
//   npm run demo -- --fail    wf3 fails, later phases are skipped; exits non-zero
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const fail = process.argv.includes('--fail')
const scenario = join(
  root,
  'examples',
  'scenarios',
  fail ? 'vendor-example-fail.yml' : 'vendor-example.yml'
)
// The simulator's sample key: the scenario file says it, and it guards nothing real.
const apiKey = /^apiKey:\s*(\S+)/m.exec(readFileSync(scenario, 'utf8'))?.[1] ?? ''

/** Starts the simulator on a free port and resolves with its address once it listens. */
function startSimulator() {
  const child = spawn(
    process.execPath,
    [join(root, 'dist', 'simulator', 'index.js'), '--scenario', scenario, '--port', '0'],
    {
      stdio: ['ignore', 'pipe', 'inherit']
    }
  )
  return new Promise((resolveUrl, reject) => {
    let seen = ''
    child.stdout.on('data', chunk => {
      seen += chunk
      const match = /listening on (http:\/\/\S+)/.exec(seen)
      if (match) resolveUrl({ child, url: match[1] })
    })
    child.on('exit', code => reject(new Error(`the simulator exited (${code}) before listening`)))
  })
}

/** Workflow commands are for the runner; a terminal reads better without them. */
function readable(line) {
  if (
    line.startsWith('::add-mask::') ||
    line.startsWith('::endgroup::') ||
    line.startsWith('::debug::')
  )
    return undefined
  const group = /^::group::(.*)$/.exec(line)
  if (group) return `\n▶ ${group[1]}`
  const command = /^::(error|warning|notice)(?: [^:]*)?::(.*)$/.exec(line)
  if (command)
    return `${command[1].toUpperCase()}: ${command[2].replace(/%0A/g, '\n').replace(/%25/g, '%')}`
  return line
}

const { child: simulator, url } = await startSimulator()
console.log(`Simulator listening on ${url} (scenario ${relative(root, scenario)})`)
const work = mkdtempSync(join(tmpdir(), 'datastudio-demo-'))
const files = {
  GITHUB_OUTPUT: join(work, 'output'),
  GITHUB_STEP_SUMMARY: join(work, 'summary.md'),
  GITHUB_STATE: join(work, 'state')
}
for (const file of Object.values(files)) writeFileSync(file, '')

const inputs = {
  'server-url': url,
  'api-key': apiKey,
  phases: "@('wf1'), @('wf2','wf3','wf4'), @('wf5','wf6'), @('wf7')",
  'max-duration': '1m'
}
const env = { ...process.env, ...files }
for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
console.log(`Running the action: phases ${inputs.phases}\n`)

const action = spawn(process.execPath, [join(root, 'dist', 'index.js')], {
  env,
  stdio: ['ignore', 'pipe', 'inherit']
})
let pending = ''
action.stdout.on('data', chunk => {
  pending += chunk
  const lines = pending.split('\n')
  pending = lines.pop() ?? ''
  for (const line of lines) {
    const text = readable(line)
    if (text !== undefined) console.log(text)
  }
})
const code = await new Promise(done => action.on('close', done))
simulator.kill('SIGTERM')

const outDir = join(root, 'demo-output')
mkdirSync(outDir, { recursive: true })
const summaryPath = join(outDir, 'summary.md')
writeFileSync(summaryPath, readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'))
const outputs = readFileSync(files.GITHUB_OUTPUT, 'utf8')
const result = /^result<<(.+)\n(.*)\n\1$/m.exec(outputs)?.[2]
rmSync(work, { recursive: true, force: true })

console.log(`\nOutput result=${result ?? '(none)'}; exit code ${code}`)
console.log(`Job summary (Markdown): ${summaryPath}`)
process.exitCode = code ?? 1
