// Package chaos injects the faults of a scenario's chaos timeline where they
// really happen, and measures what each one did.
//
//   - Producer middleware (Injector.Writer, Injector.SingleWriter) wraps any
//     stream.Writer: lost-acknowledgement and plain timeouts, injected
//     errors (per-record ProvisionedThroughputExceededException and
//     InternalFailure, call-level HTTP 500/503 and connection resets), added
//     latency (fixed, uniform, log-normal) and duplicate sends. It counts
//     the records written per shard, which picks the hottest shard to split.
//   - Scheduled stream operations (Injector.Run): SplitShard of the hottest
//     shard, MergeShards of the coldest adjacent pair, UpdateShardCount,
//     through stream.Resharder; and network faults through an in-process
//     TCP proxy (Proxy, built on toxiproxy) in front of a real endpoint.
//   - Consumer middleware (Injector.Reader): stalls, expired iterators and
//     GetRecords latency; crashes are restarts the consumers make at the
//     times Injector.Restarts gives.
//
// Which calls and records a fault picks is a pure function of the scenario's
// seed, the fault's position in the timeline and the record (a hash of its
// partition key and data, which carries the record's unique id), so a run
// repeats whatever the order of concurrent calls; a count picks the first
// records (or calls) in the window. A record is picked at most once per
// fault, so its retry goes through.
//
// A *Injector and the middleware it returns are safe for concurrent use by every
// producer and consumer goroutine. Injector.Run blocks until every scheduled
// operation is done or its context ends; Injector.Results is called once, after
// the run, when the ledger and the result's series are final.
package chaos
