/** Reading a file the user named, where a missing file is an answer rather than an error. */
import { readFileSync } from 'node:fs'

/** Reads a file's text; undefined when there is no such file. */
export type ReadFile = (path: string) => string | undefined

/** A ReadFile over the real file system, for the action and the CLI; tests pass their own. */
export function readFileIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}
