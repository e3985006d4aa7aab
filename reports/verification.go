package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/kinesim/kinesim/scenarios"
)

// Verification is result.json's verification section: what each consumer
// delivered, compared record by record with the run's ledger.
type Verification struct {
	// Passed is true when every consumer met its expectations.
	Passed bool `json:"passed"`
	// Consumers are the verdicts, one per consumer.
	Consumers []ConsumerVerdict `json:"consumers"`
}

// ConsumerVerdict is one consumer's deliveries compared with the ledger.
type ConsumerVerdict struct {
	// Consumer is the consumer's name in the scenario.
	Consumer string `json:"consumer"`
	// Acknowledged records in the ledger (what the consumer should get).
	Acknowledged int64 `json:"acknowledged"`
	// Deliveries the consumer received (or processed, for an external one).
	Deliveries int64 `json:"deliveries"`
	// DistinctRecords delivered at least once.
	DistinctRecords int64 `json:"distinct_records"`
	// Lost: acknowledged and never delivered.
	Lost int64 `json:"lost"`
	// DuplicateDeliveries: deliveries beyond the first of each record.
	DuplicateDeliveries int64 `json:"duplicate_deliveries"`
	// DuplicateEffects: records the sink applied more than once.
	DuplicateEffects int64 `json:"duplicate_effects"`
	// Reordered: first deliveries whose sequence number is below one already
	// delivered for the same partition key.
	Reordered int64 `json:"reordered"`
	// DeliveredNotAcknowledged: records delivered in a write the producer
	// never saw acknowledged (a retry after a lost ack, a dead-lettered or
	// unfinished record that was written after all).
	DeliveredNotAcknowledged int64 `json:"delivered_not_acknowledged"`
	// Unknown: deliveries whose record id the ledger does not hold.
	Unknown int64 `json:"unknown"`
	// Expect are the scenario's limits (name → most allowed).
	Expect map[string]int64 `json:"expect,omitempty"`
	// Failures say which expectations were not met.
	Failures []string `json:"failures,omitempty"`
	// Passed is true when the consumer met every expectation.
	Passed bool `json:"passed"`
}

// Value returns a verdict count by its JSON name (lost, duplicate_effects,
// ...); ok is false for an unknown name.
func (v *ConsumerVerdict) Value(name string) (n int64, ok bool) {
	switch name {
	case "lost":
		return v.Lost, true
	case "duplicate_deliveries":
		return v.DuplicateDeliveries, true
	case "duplicate_effects":
		return v.DuplicateEffects, true
	case "reordered":
		return v.Reordered, true
	case "delivered_not_acknowledged":
		return v.DeliveredNotAcknowledged, true
	case "unknown":
		return v.Unknown, true
	}
	return 0, false
}

// VerdictNames lists the counts an expectation may name.
func VerdictNames() []string { return slices.Clone(scenarios.ExpectNames) }

// Judge compares the verdict with expect (name → most allowed) and sets
// Expect, Failures and Passed.
func (v *ConsumerVerdict) Judge(expect map[string]int64) {
	v.Expect = expect
	v.Failures = nil
	for _, name := range VerdictNames() {
		limit, ok := expect[name]
		if !ok {
			continue
		}
		if got, _ := v.Value(name); got > limit {
			v.Failures = append(v.Failures, fmt.Sprintf("%s %d > %d", name, got, limit))
		}
	}
	v.Passed = len(v.Failures) == 0
}

// WriteVerification prints the verification section of the summary.
func WriteVerification(w io.Writer, v *Verification) error {
	if v == nil {
		return nil
	}
	var b strings.Builder
	state := "PASSED"
	if !v.Passed {
		state = "FAILED"
	}
	fmt.Fprintf(&b, "verification %s\n", state)
	for _, c := range v.Consumers {
		verdict := "ok"
		if !c.Passed {
			verdict = "FAILED: " + strings.Join(c.Failures, ", ")
		}
		fmt.Fprintf(&b, "  %-12s delivered %s of %s  lost %s  duplicate deliveries %s  duplicate effects %s  reordered %s  not acknowledged %s  %s\n",
			c.Consumer, thousands(c.DistinctRecords), thousands(c.Acknowledged), thousands(c.Lost),
			thousands(c.DuplicateDeliveries), thousands(c.DuplicateEffects), thousands(c.Reordered),
			thousands(c.DeliveredNotAcknowledged), verdict)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
