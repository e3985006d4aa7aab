package result

import (
	"fmt"
	"slices"
	"time"
)

// Verification is result.json's verification section: what each consumer
// delivered, compared record by record with the run's ledger.
type Verification struct {
	// Passed is true when every consumer met its expectations.
	Passed bool `json:"passed"`
	// Consumers are the verdicts, one per consumer.
	Consumers []ConsumerVerdict `json:"consumers"`
	// Incomplete, when set, says the ledger was cut short (the run was
	// killed or crashed before it closed it) and where it ends: records not
	// delivered by then are counted unread, since they cannot be known lost.
	Incomplete string `json:"incomplete,omitempty"`
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
	// Lost: acknowledged, stored and never delivered although the consumer
	// read its shard past it (or to the shard's end): evicted by retention,
	// or absent.
	Lost int64 `json:"lost"`
	// Unread: acknowledged and not delivered yet when the run ended: the
	// consumer had not read its shard that far (its backlog), or the ledger
	// was cut short and cannot tell. Not lost.
	Unread int64 `json:"unread"`
	// ReadRatePerS is the consumer's deliveries per second from its first
	// to its last; only when some records are unread.
	ReadRatePerS float64 `json:"read_rate_per_s,omitempty"`
	// UnreadReadS is how long the unread records would take to read at
	// ReadRatePerS: how much longer the drain needed to be.
	UnreadReadS float64 `json:"unread_read_s,omitempty"`
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
	// BeforeStart: acknowledged records never delivered because they were
	// written before the consumer's start position (LATEST, AT_TIMESTAMP);
	// not lost.
	BeforeStart int64 `json:"before_start,omitempty"`
	// FilteredOut: records read and dropped by the consumer's filter; not lost.
	FilteredOut int64 `json:"filtered_out,omitempty"`
	// AggregatesNotDeaggregated are KPL aggregates the consumer took as
	// single records (deaggregate: false): it saw 1 record where the
	// producer put many. At most one user record of each (the first, whose
	// record id is the first in the aggregate's bytes) counts as delivered;
	// the others count as lost.
	AggregatesNotDeaggregated int64 `json:"aggregates_not_deaggregated,omitempty"`
	// UserRecordsNotDeaggregated are the user records inside those aggregates.
	UserRecordsNotDeaggregated int64 `json:"user_records_not_deaggregated,omitempty"`
	// AggregatesCorrupt are records with the KPL magic bytes that were not
	// valid aggregates; the consumer passed each on as one record, as KCL does.
	AggregatesCorrupt int64 `json:"aggregates_corrupt,omitempty"`
	// FilteredByHashRange are user records the consumer dropped with their
	// aggregate because it held a user record outside the shard's hash key
	// range (KCL's filter after a reshard; the producer put them again).
	FilteredByHashRange int64 `json:"filtered_by_hash_range,omitempty"`
	// Generations attribute re-deliveries to the restarts (crashes, lease
	// moves) that caused them; left out when the consumer never restarted.
	Generations []GenerationVerdict `json:"generations,omitempty"`
	// Sink compares the sink's final state with the state the acknowledged
	// records call for (aggregate and window processors).
	Sink *SinkCheck `json:"sink,omitempty"`
	// Expect are the scenario's limits (name → most allowed).
	Expect map[string]int64 `json:"expect,omitempty"`
	// Failures say which expectations were not met.
	Failures []string `json:"failures,omitempty"`
	// Passed is true when the consumer met every expectation.
	Passed bool `json:"passed"`
}

// GenerationVerdict is one generation of a consumer: from its start, or a
// restart, to the next restart.
type GenerationVerdict struct {
	// Generation counts restarts: 0 is the first.
	Generation int `json:"generation"`
	// StartedAt is when the restart happened (zero for generation 0).
	StartedAt time.Time `json:"started_at,omitzero"`
	// Shards are the shards restarted (a lease moved); empty: every shard (a crash).
	Shards []string `json:"shards,omitempty"`
	// Uncheckpointed: deliveries since the last checkpoint of the restarted
	// shards when the restart happened: what it should deliver again.
	Uncheckpointed int64 `json:"uncheckpointed"`
	// Deliveries received in the generation.
	Deliveries int64 `json:"deliveries"`
	// Redeliveries: deliveries of records first received in an earlier generation.
	Redeliveries int64 `json:"redeliveries"`
}

// SinkCheck is a sink's final per-key totals against the expected ones:
// one per acknowledged record the consumer should have applied.
type SinkCheck struct {
	// Keys the expected or the actual state holds.
	Keys int64 `json:"keys"`
	// KeysWrong: keys whose total differs from the expected one.
	KeysWrong int64 `json:"keys_wrong"`
	// ExpectedTotal sums the expected totals over every key.
	ExpectedTotal int64 `json:"expected_total"`
	// ActualTotal sums the sink's totals over every key.
	ActualTotal int64 `json:"actual_total"`
}

// Value returns a verdict count by its JSON name (lost, duplicate_effects,
// ...); ok is false for an unknown name.
func (v *ConsumerVerdict) Value(name string) (n int64, ok bool) {
	switch name {
	case "lost":
		return v.Lost, true
	case "unread":
		return v.Unread, true
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
	case "sink_keys_wrong":
		if v.Sink == nil {
			return 0, true
		}
		return v.Sink.KeysWrong, true
	}
	return 0, false
}

// verdictNames are the counts Value knows, in the order Judge reports them.
var verdictNames = []string{"lost", "unread", "duplicate_deliveries", "duplicate_effects", "reordered", "delivered_not_acknowledged", "unknown", "sink_keys_wrong"}

// VerdictNames lists the counts an expectation may name (a scenario's
// consumers[].expect), in the order Judge reports failures.
func VerdictNames() []string { return slices.Clone(verdictNames) }

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
