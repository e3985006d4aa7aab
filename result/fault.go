package result

// FaultResult is what one fault of a chaos timeline did: its window (for
// shading charts), how much it touched and the damage measured afterwards.
type FaultResult struct {
	// Index is the fault's position in the scenario's chaos list.
	Index int `json:"index"`
	// Fault is its kind (producer_timeout, split_shard, consumer_fault, ...).
	Fault string `json:"fault"`
	// Description says what it was, e.g. "lost-ack timeouts (count 100) on producer bikes".
	Description string `json:"description"`
	// AtS is the window's start, in seconds from the run's start.
	AtS float64 `json:"at_s"`
	// ForS is the window's length in seconds; for a stream operation, how
	// long it took.
	ForS float64 `json:"for_s"`
	// CallsAffected are the calls the fault delayed, failed or changed.
	CallsAffected int64 `json:"calls_affected"`
	// RecordsAffected are the record attempts it failed, timed out or duplicated.
	RecordsAffected int64 `json:"records_affected"`
	// RetriesCaused are record attempts it failed that the producer had to retry.
	RetriesCaused int64 `json:"retries_caused"`
	// DuplicatesCaused are duplicate deliveries it caused, from the ledger
	// (producer faults: records stored twice and delivered twice; consumer
	// faults: records re-delivered).
	DuplicatesCaused int64 `json:"duplicates_caused"`
	// PeakBacklogRecords is the largest backlog (acknowledged, not yet
	// consumed) from the fault's start to its recovery; 0 without consumers.
	PeakBacklogRecords int64 `json:"peak_backlog_records"`
	// RecoveryS is the time from the fault's end until send delay p99,
	// backlog and iterator age were back at their level of the 5 s before
	// the fault; absent when they were not by the end of the run.
	RecoveryS *float64 `json:"recovery_s,omitempty"`
	// Detail says what a stream operation did, e.g. which shard it split.
	Detail string `json:"detail,omitempty"`
	// Error is why the fault could not be applied.
	Error string `json:"error,omitempty"`
}
