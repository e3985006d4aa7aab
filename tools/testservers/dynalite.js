// dynalite.js starts dynalite (a DynamoDB emulator, where KCL applications
// keep their leases) on 127.0.0.1 only, in memory, with short table state
// transitions.
//
//   node dynalite.js PORT [--exit-on-stdin-eof]
//
// It prints "listening 127.0.0.1:PORT" once the socket is bound and stops on
// SIGTERM or SIGINT. With --exit-on-stdin-eof it also stops when its standard
// input closes, so a test process that dies cannot leave it running.
'use strict'

const args = process.argv.slice(2)
const port = Number(args[0])
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node dynalite.js PORT [--exit-on-stdin-eof]')
  process.exit(2)
}

const server = require('dynalite')({ createTableMs: 50, deleteTableMs: 50, updateTableMs: 50 })

server.on('error', (err) => {
  console.error('dynalite: ' + err.message)
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
