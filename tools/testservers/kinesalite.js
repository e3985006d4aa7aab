// kinesalite.js starts kinesalite on 127.0.0.1 only (its own CLI binds every
// interface).
//
//   node kinesalite.js PORT [--exit-on-stdin-eof]
//
// It prints "listening 127.0.0.1:PORT" once the socket is bound and stops on
// SIGTERM or SIGINT. With --exit-on-stdin-eof it also stops when its standard
// input closes, so a test process that dies cannot leave it running.
'use strict'

const args = process.argv.slice(2)
const port = Number(args[0])
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node kinesalite.js PORT [--exit-on-stdin-eof]')
  process.exit(2)
}

// Short state transitions keep tests fast; shardLimit lifts the default
// account limit of 10 shards so tests may create several streams.
const server = require('kinesalite')({
  createStreamMs: 50,
  deleteStreamMs: 50,
  updateStreamMs: 50,
  shardLimit: 100
})

server.on('error', (err) => {
  console.error('kinesalite: ' + err.message)
  process.exit(1)
})

server.listen(port, '127.0.0.1', () => {
  console.log('listening 127.0.0.1:' + port)
})

const stop = () => server.close(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
if (args.includes('--exit-on-stdin-eof')) {
  process.stdin.on('end', () => process.exit(0))
  process.stdin.resume()
}
