// kinesis-mock.js starts kinesis-mock (the kinesis-local npm package) with
// settings for tests: plain HTTP on PLAIN_PORT, TLS on TLS_PORT (it always
// opens both; its default TLS port 4567 collides with kinesalite's), no
// persistence, short state transitions.
//
//   node kinesis-mock.js PLAIN_PORT TLS_PORT [--exit-on-stdin-eof]
//
// Variables already set in the environment win over these defaults, so
// KINESIS_MOCK_* and the *_DURATION settings of its README still apply.
// It is ready when GET http://127.0.0.1:PLAIN_PORT/healthcheck answers 200.
// With --exit-on-stdin-eof it stops when its standard input closes, so a test
// process that dies cannot leave it running.
'use strict'

const path = require('path')

const args = process.argv.slice(2)
const ports = args.slice(0, 2).map(Number)
if (ports.length !== 2 || !ports.every((p) => Number.isInteger(p) && p > 0 && p <= 65535)) {
  console.error('usage: node kinesis-mock.js PLAIN_PORT TLS_PORT [--exit-on-stdin-eof]')
  process.exit(2)
}

const pkg = path.join(__dirname, 'node_modules', 'kinesis-local')
const defaults = {
  KINESIS_MOCK_PLAIN_PORT: String(ports[0]),
  KINESIS_MOCK_TLS_PORT: String(ports[1]),
  KINESIS_MOCK_CERT_PATH: path.join(pkg, 'server.json'),
  LOAD_DATA_IF_EXISTS: 'false',
  SHOULD_PERSIST_DATA: 'false',
  CREATE_STREAM_DURATION: '50ms',
  DELETE_STREAM_DURATION: '50ms',
  REGISTER_STREAM_CONSUMER_DURATION: '50ms',
  DEREGISTER_STREAM_CONSUMER_DURATION: '50ms',
  MERGE_SHARDS_DURATION: '50ms',
  SPLIT_SHARD_DURATION: '50ms',
  UPDATE_SHARD_COUNT_DURATION: '50ms',
  UPDATE_STREAM_MODE_DURATION: '50ms',
  SHARD_LIMIT: '100',
  LOG_LEVEL: 'ERROR'
}
// The ports given on the command line always win: the caller picked them free.
for (const [k, v] of Object.entries(defaults)) {
  if (k.endsWith('_PORT') || process.env[k] === undefined) process.env[k] = v
}

// kinesis-mock (a cats-effect IOApp) replaces process.exit with a graceful
// shutdown that waits for open keep-alive connections, which a test's HTTP
// client holds: stopping would hang. Keep the real exit, and register these
// handlers before it registers its own, so they run first.
const exit = process.exit.bind(process)
if (args.includes('--exit-on-stdin-eof')) {
  process.stdin.on('end', () => exit(0))
  process.stdin.resume()
}
process.on('SIGTERM', () => exit(0))
process.on('SIGINT', () => exit(0))

// kinesis-mock has no setting for the address it binds and binds every
// interface; tests must serve loopback only. Make every listen without an
// explicit host, and every listen on a wildcard address, bind 127.0.0.1.
const net = require('net')
const listen = net.Server.prototype.listen
const wildcard = (h) => h === undefined || h === null || h === '' || h === '0.0.0.0' || h === '::'
net.Server.prototype.listen = function (...a) {
  if (a.length > 0 && typeof a[0] === 'object' && a[0] !== null && !Array.isArray(a[0])) {
    if (a[0].path === undefined && wildcard(a[0].host)) a[0] = Object.assign({}, a[0], { host: '127.0.0.1' })
  } else if (typeof a[0] === 'number' || (typeof a[0] === 'string' && /^\d+$/.test(a[0]))) {
    if (typeof a[1] !== 'string' || wildcard(a[1])) {
      a = typeof a[1] === 'string' ? [a[0], '127.0.0.1', ...a.slice(2)] : [a[0], '127.0.0.1', ...a.slice(1)]
    }
  }
  return listen.apply(this, a)
}

// Loading main.js runs the service.
require(path.join(pkg, 'main.js'))
