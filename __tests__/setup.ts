// No test reaches beyond this machine: nock refuses every connection except loopback, which the
// end-to-end tests need for their real local simulator.
import { afterAll } from '@jest/globals'
import nock from 'nock'

nock.disableNetConnect()
nock.enableNetConnect(host => /^(127\.0\.0\.1|localhost|\[::1\]|::1)(:\d+)?$/.test(host))

// nock's HTTP interceptor is installed once per process, but jest loads a fresh nock for each
// test file; unless this file's copy lets go, the next file's interceptors are never consulted.
afterAll(() => {
  nock.restore()
})
