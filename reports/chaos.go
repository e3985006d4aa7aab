package reports

import (
	"fmt"
	"io"
	"strings"
)

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

// WriteChaos prints one line per fault; nothing without faults.
func WriteChaos(w io.Writer, faults []FaultResult) error {
	if len(faults) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("chaos:\n")
	for _, f := range faults {
		fmt.Fprintf(&b, "  %5.1fs +%-5s %s: %s, %s, %s, %s",
			f.AtS, trimSeconds(f.ForS), f.Description, count(f.CallsAffected, "call", "calls"),
			count(f.RecordsAffected, "record", "records"), count(f.RetriesCaused, "retry", "retries"),
			count(f.DuplicatesCaused, "duplicate", "duplicates"))
		if f.PeakBacklogRecords > 0 {
			fmt.Fprintf(&b, ", peak backlog %s", thousands(f.PeakBacklogRecords))
		}
		if f.RecoveryS != nil {
			fmt.Fprintf(&b, ", recovered in %s", trimSeconds(*f.RecoveryS))
		} else {
			b.WriteString(", not recovered by the end")
		}
		if f.Detail != "" {
			fmt.Fprintf(&b, " (%s)", f.Detail)
		}
		if f.Error != "" {
			fmt.Fprintf(&b, " ERROR: %s", f.Error)
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func trimSeconds(s float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", s), "0"), ".") + "s"
}

// count writes n with the noun in the number it takes: "1 call", "2 calls".
func count(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}
