// The action's entry point, for both its steps: the main step runs the plan; the post step
// (post-if: always()) cancels what a killed main step left running. Nothing but the dispatch,
// so tests can import run() and cleanup() without running them.
import { getState } from '@actions/core'
import { run } from './main.js'
import { cleanup } from './post.js'
import { StateNames } from './state.js'

void (getState(StateNames.IsPost) === 'true' ? cleanup() : run())
