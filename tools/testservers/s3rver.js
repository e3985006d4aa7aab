// s3rver.js starts s3rver (an S3-compatible server) on 127.0.0.1 only, with
// its objects in a temporary folder that is removed when it stops.
//
//   node s3rver.js PORT [--bucket NAME]... [--exit-on-stdin-eof]
//
// Clients sign with access key id S3RVER and secret S3RVER (s3rver checks
// signatures). Use path-style addressing (the SDK's UsePathStyle).
// It prints "listening 127.0.0.1:PORT" once the socket is bound and stops on
// SIGTERM or SIGINT. With --exit-on-stdin-eof it also stops when its standard
// input closes, so a test process that dies cannot leave it running.
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const S3rver = require('s3rver')

const args = process.argv.slice(2)
const port = Number(args[0])
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node s3rver.js PORT [--bucket NAME]... [--exit-on-stdin-eof]')
  process.exit(2)
}
const buckets = []
for (let i = 1; i < args.length; i++) {
  if (args[i] === '--bucket' && i + 1 < args.length) buckets.push({ name: args[++i] })
}

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'))
const server = new S3rver({
  port,
  address: '127.0.0.1',
  silent: true,
  directory,
  resetOnClose: true,
  vhostBuckets: false,
  configureBuckets: buckets
})

let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  server.close().catch(() => {}).finally(() => {
    fs.rmSync(directory, { recursive: true, force: true })
    process.exit(0)
  })
}

server.run().then(() => {
  console.log('listening 127.0.0.1:' + port)
}, (err) => {
  console.error('s3rver: ' + err.message)
  fs.rmSync(directory, { recursive: true, force: true })
  process.exit(1)
})

process.on('SIGTERM', stop)
process.on('SIGINT', stop)
if (args.includes('--exit-on-stdin-eof')) {
  process.stdin.on('end', stop)
  process.stdin.resume()
}
