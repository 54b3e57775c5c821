/**
 * The connection: what it takes to talk to the server, read from the inputs. It is all the post
 * step needs, so it stands apart from the plan and its parsers, which the post step never loads.
 */
import { X509Certificate } from 'node:crypto'
import { InputError, invalidInput, quote } from './errors.js'
import { readFileIfExists, type ReadFile } from './files.js'
import {
  Inputs,
  readBoolean,
  readDuration,
  readLabel,
  required,
  textOf,
  type InputReader
} from './input-values.js'

/** What it takes to talk to the server: all the post step needs. */
export interface Connection {
  serverUrl: string
  apiKey: string
  environment: string
  tenancy: string
  requestTimeoutMs: number
  /** Extra trusted roots, PEM. */
  caCertificates: string | undefined
  insecureSkipTlsVerify: boolean
}

export function readConnection(
  read: InputReader,
  readFile: ReadFile = readFileIfExists
): Connection {
  const text = textOf(read)
  return {
    serverUrl: readServerUrl(required(Inputs.ServerUrl, text(Inputs.ServerUrl))),
    apiKey: readApiKey(read(Inputs.ApiKey)),
    environment: readLabel(Inputs.Environment, text(Inputs.Environment)),
    tenancy: readLabel(Inputs.Tenancy, text(Inputs.Tenancy)),
    requestTimeoutMs: readDuration(Inputs.RequestTimeout, text(Inputs.RequestTimeout)),
    caCertificates: readCaCertificate(text(Inputs.CaCertificate), readFile),
    insecureSkipTlsVerify: readBoolean(
      Inputs.InsecureSkipTlsVerify,
      text(Inputs.InsecureSkipTlsVerify)
    )
  }
}

const SERVER_URL_EXPECTED =
  'expected the address of the Data Studio server with its scheme and no path, ' +
  'such as https://datastudio.example.com:7701'

function readServerUrl(value: string): string {
  // Credentials are checked first and never quoted back, whatever else is wrong with the value.
  const shown = withoutCredentials(value)
  if (shown !== value) {
    throw invalidInput(
      Inputs.ServerUrl,
      shown,
      `put no credentials in the address; the key goes in '${Inputs.ApiKey}'.`
    )
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalidInput(Inputs.ServerUrl, value, `${SERVER_URL_EXPECTED}.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalidInput(Inputs.ServerUrl, value, `${SERVER_URL_EXPECTED} (http or https).`)
  }
  if (url.pathname.replace(/\/+$/, '') !== '' || url.search !== '' || url.hash !== '') {
    const hint = /^\/api\//.test(url.pathname)
      ? ` The API path is added by the action; set the tenancy with '${Inputs.Tenancy}'.`
      : ''
    throw invalidInput(Inputs.ServerUrl, value, `${SERVER_URL_EXPECTED}.${hint}`)
  }
  return `${url.protocol}//${url.host}`
}

/** `https://user:pw@host` → `https://…@host`; `user:pw@host` → `…@host`. */
function withoutCredentials(value: string): string {
  return value.replace(
    /^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i,
    (_match, scheme?: string) => `${scheme ?? ''}…@`
  )
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** PEM text, or the path of a PEM file; every certificate in it must parse. */
function readCaCertificate(value: string, readFile: ReadFile): string | undefined {
  if (value === '') return undefined
  const inline = value.includes('-----BEGIN')
  let pem: string | undefined
  try {
    pem = inline ? value : readFile(value)
  } catch {
    pem = undefined // unreadable (a folder, no permission): said below like a missing file
  }
  if (pem === undefined) {
    throw invalidInput(
      Inputs.CaCertificate,
      value,
      'no such file can be read; expected PEM text (-----BEGIN CERTIFICATE----- …) or the path of a PEM file.'
    )
  }
  const certificates = pem.match(PEM_CERTIFICATE) ?? []
  const shown = inline ? 'PEM text' : `the file ${quote(value)}`
  if (certificates.length === 0) {
    throw new InputError(
      `Input '${Inputs.CaCertificate}': ${shown} holds no -----BEGIN CERTIFICATE----- block; ` +
        'expected one or more PEM certificates of the CA that signed the server certificate.'
    )
  }
  for (const [index, certificate] of certificates.entries()) {
    try {
      new X509Certificate(certificate)
    } catch (error) {
      throw new InputError(
        `Input '${Inputs.CaCertificate}': certificate ${index + 1} in ${shown} does not parse ` +
          `(${(error as Error).message}); expected PEM certificates.`
      )
    }
  }
  return certificates.join('\n')
}

/** The key is never quoted back: an error about it must not print it. */
function readApiKey(value: string): string {
  const key = value.trim()
  if (key === '') {
    throw new InputError(
      `Input '${Inputs.ApiKey}' is required and was not given (or the secret it names is empty).`
    )
  }
  if (/\s/.test(key)) {
    throw new InputError(
      `Input '${Inputs.ApiKey}' contains white space or a line break: paste the API key alone, ` +
        `without the environment label (that goes in '${Inputs.Environment}').`
    )
  }
  return key
}
