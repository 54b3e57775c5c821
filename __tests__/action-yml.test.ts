// action.yml, the code and the README describe one interface: none may drift from the others.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { Defaults, Inputs } from '../src/inputs.js'
import { Outputs } from '../src/outputs.js'

const action = parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as {
  inputs: Record<string, { required?: boolean; default?: string; description: string }>
  outputs: Record<string, { description: string }>
  runs: Record<string, string>
}
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('action.yml', () => {
  it('declares exactly the inputs the code reads', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(Inputs).sort())
  })

  it('states the same defaults as the code', () => {
    for (const [name, input] of Object.entries(action.inputs)) {
      expect([name, input.default]).toEqual([name, (Defaults as Record<string, string>)[name]])
    }
  })

  it('declares exactly the outputs the code sets', () => {
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Outputs).sort())
  })

  it('runs the bundle on node24, with a post step that always runs', () => {
    expect(action.runs).toEqual({
      using: 'node24',
      main: 'dist/index.js',
      post: 'dist/post/index.js',
      'post-if': 'always()'
    })
  })

  it('has every input and output in the README tables', () => {
    for (const name of [...Object.values(Inputs), ...Object.values(Outputs)]) {
      expect(readme).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'))
    }
  })
})

describe('the README', () => {
  it('shows a plan file that the action accepts', async () => {
    const { readPlanFile } = await import('../src/planfile.js')
    const example = /```yaml\n(# datastudio\/nightly\.yml\n[\s\S]*?)```/.exec(readme)?.[1]
    expect(example).toBeDefined()
    const base = {
      maxDurationMs: undefined,
      minDurationMs: undefined,
      execute: {
        version: 'PublishedOnly' as const,
        refreshSources: false,
        parameters: undefined,
        space: undefined
      }
    }
    const plan = readPlanFile(example as string, base, 'README')
    expect(plan.map(phase => phase.map(w => w.workflow))).toEqual([
      ['refresh-reference-data'],
      ['load-customers', 'validate-addresses'],
      ['match-and-merge']
    ])
    expect(plan[2]?.[0]?.maxDurationMs).toBeUndefined()
    expect(plan[1]?.[1]?.checks).toHaveLength(2)
  })

  it('shows copy-paste workflows that hand step outputs to scripts through env', () => {
    const workflows = [...readme.matchAll(/```yaml\n(name: [\s\S]*?)```/g)].map(
      m =>
        parse(m[1] as string) as {
          name: string
          on: unknown
          jobs: Record<string, { steps: Array<{ run?: string }> }>
        }
    )
    expect(workflows.map(w => w.name)).toEqual(
      expect.arrayContaining(['Nightly Data Studio refresh', 'Deploy', 'Data quality gate'])
    )
    for (const workflow of workflows) {
      expect(workflow.on).toBeDefined()
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps) expect(step.run ?? '').not.toContain('${{')
      }
    }
  })

  it('shows a scenario the simulator accepts, and a command line that runs a plan against it', async () => {
    const { parseScenarioText } = await import('../src/simulator/scenario.js')
    const text = /```yaml\n(# rehearsal\.yml\n[\s\S]*?)```/.exec(readme)?.[1]
    expect(text).toBeDefined()
    const scenario = parseScenarioText(text as string, 'README')
    expect(readme).toContain('node dist/simulator/index.js --scenario rehearsal.yml --port 7701\n')
    const command = /^DATASTUDIO_API_KEY=(\S+) node dist\/cli\/index\.js (.*)$/m.exec(readme)
    expect(command?.[1]).toBe(scenario.apiKey)
    expect(command?.[2]).toContain('--server-url http://127.0.0.1:7701 ')
    expect(command?.[2]).toContain(`--environment ${scenario.environment} `)
    const labels = [
      ...(/--phases "([^"]*)"/.exec(command?.[2] ?? '')?.[1] ?? '').matchAll(/'(\w+)'/g)
    ]
    expect(labels.map(m => m[1]).sort()).toEqual(Object.keys(scenario.workflows).sort())
  })
})
