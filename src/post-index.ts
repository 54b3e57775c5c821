// The post step's entry point (action.yml `post:`, `post-if: always()`): cancels whatever a
// killed main step left running, and is silent when there is nothing to do. Built to its own
// bundle, dist/post/index.js, apart from the main step's.
import { cleanup } from './post.js'

void cleanup()
