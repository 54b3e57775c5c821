// The action's main step: runs the plan. Nothing but the call, so tests can import run() without
// running it. The post step has a bundle of its own (post-index.ts), so that it can never run the
// plan a second time, whatever the saved state holds.
import { run } from './main.js'

void run()
