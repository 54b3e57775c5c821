// No test reaches beyond this machine: nock refuses every connection except loopback, which the
// end-to-end tests need for their real local simulator.
import nock from 'nock'

nock.disableNetConnect()
nock.enableNetConnect(host => /^(127\.0\.0\.1|localhost|\[::1\]|::1)(:\d+)?$/.test(host))
