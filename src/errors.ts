/** A bad input or plan: the run stops before any request is sent. */
export class InputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InputError'
  }
}

/** `Input 'name' is '<value>': <what is expected>.` — the one shape every input error takes. */
export function invalidInput(input: string, value: string, expected: string): InputError {
  return new InputError(`Input '${input}' is ${quote(value)}: ${expected}`)
}

/** Quotes a value for a message, shortened so a pasted file cannot flood the log. */
export function quote(value: string, max = 120): string {
  const flat = value.replace(/\r?\n/g, '\\n')
  return `'${flat.length > max ? `${flat.slice(0, max)}…` : flat}'`
}

/** Normalises whatever was thrown into one line a person can read. */
export function getErrorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  try {
    return JSON.stringify(error)
  } catch {
    return String(error)
  }
}
