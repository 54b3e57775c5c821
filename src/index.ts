// The action's entry point: nothing but the call, so tests can import run() without running it.
import { run } from './main.js'

void run()
