// Package result is result.json: the schema scripts and CI read (Result and
// its sections, documented in RESULT.md and result.schema.json), reading and
// writing it, the consumers' verification verdicts, the judged thresholds
// and what each chaos fault did. It imports only the standard library, so
// whatever reads or writes results (the ledger, chaos, the renderers, other
// tools) needs no recorder, renderer or Prometheus.
//
// Values are plain data with no locks: build one on a single goroutine, or
// hand it over once built; concurrent readers are fine.
package result
