package reports

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SchemaVersion of result.json. Bump it when a field changes meaning or goes
// away; adding fields does not bump it.
const SchemaVersion = 1

// Result is result.json: the contract scripts and CI read. Field names carry
// their units (_ms, _per_s, _bytes, _s).
type Result struct {
	SchemaVersion int    `json:"schema_version"`
	Scenario      string `json:"scenario"`
	ScenarioFile  string `json:"scenario_file,omitempty"`
	Seed          int64  `json:"seed"`
	// Complete is false when the run was stopped early (Ctrl-C, a fatal
	// target error); StopReason then says why.
	Complete       bool       `json:"complete"`
	StopReason     string     `json:"stop_reason,omitempty"`
	KinesimVersion string     `json:"kinesim_version"`
	Target         TargetInfo `json:"target"`
	StartedAt      time.Time  `json:"started_at"`
	EndedAt        time.Time  `json:"ended_at"`
	// PlannedDurationS is the scenario's duration; ElapsedS is what ran.
	PlannedDurationS float64 `json:"planned_duration_s"`
	ElapsedS         float64 `json:"elapsed_s"`

	Totals     Totals     `json:"totals"`
	Throughput Throughput `json:"throughput"`
	// ThrottledRatio is throttled record attempts over all record attempts.
	ThrottledRatio float64                `json:"throttled_ratio"`
	LatencyMs      map[string]Percentiles `json:"latency_ms"`
	// LatencyDistributionMs is each latency's whole-run percentile curve,
	// p0 to p100 (see DistributionPercentiles); a metric without samples is absent.
	LatencyDistributionMs map[string][]QuantileValue `json:"latency_distribution_ms,omitempty"`
	Series                []SeriesPoint              `json:"series"`
	Producers             []ProducerInfo             `json:"producers"`
	// Thresholds are the scenario's thresholds as judged at the end of the
	// run, metrics in name order; absent when the scenario has none.
	Thresholds []ThresholdResult `json:"thresholds,omitempty"`
	// Verification compares the consumers' deliveries with the ledger;
	// absent when the scenario has no consumers.
	Verification *Verification `json:"verification,omitempty"`
	// Chaos is what each fault of the scenario's chaos timeline did, in
	// timeline order; absent without chaos.
	Chaos []FaultResult `json:"chaos,omitempty"`
	// Files written in the run folder, by role (result, dead_letters, scenario).
	Files map[string]string `json:"files"`
}

// TargetInfo names the stream a run wrote to.
type TargetInfo struct {
	Kind     string `json:"kind"`
	Stream   string `json:"stream"`
	Shards   int    `json:"shards"`
	Mode     string `json:"mode,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
}

// ProducerInfo describes one producer of the run.
type ProducerInfo struct {
	Name         string `json:"name"`
	Generator    string `json:"generator"`
	PartitionKey string `json:"partition_key"`
}

// Totals are whole-run counts.
type Totals struct {
	RecordsScheduled    int64 `json:"records_scheduled"`
	RecordsSent         int64 `json:"records_sent"`
	RecordsAcknowledged int64 `json:"records_acknowledged"`
	BytesAcknowledged   int64 `json:"bytes_acknowledged"`
	PutAttempts         int64 `json:"put_attempts"`
	RecordsThrottled    int64 `json:"records_throttled"`
	RecordsFailed       int64 `json:"records_failed"`
	RecordsRetried      int64 `json:"records_retried"`
	RecordsDeadLettered int64 `json:"records_dead_lettered"`
	RecordsUnfinished   int64 `json:"records_unfinished"`
	RecordsDropped      int64 `json:"records_dropped"`
	PutCalls            int64 `json:"put_calls"`
	PutCallErrors       int64 `json:"put_call_errors"`
	// RecordsConsumed and the rest are the built-in consumers' reads.
	RecordsConsumed int64 `json:"records_consumed"`
	BytesConsumed   int64 `json:"bytes_consumed"`
	GetRecordsCalls int64 `json:"get_records_calls"`
	ReadThrottles   int64 `json:"read_throttles"`
}

// Throughput over the run.
type Throughput struct {
	// RecordsAcknowledgedPerS is the mean over the elapsed time.
	RecordsAcknowledgedPerS float64 `json:"records_acknowledged_per_s"`
	BytesAcknowledgedPerS   float64 `json:"bytes_acknowledged_per_s"`
	// PeakRecordsAcknowledgedPerS is the busiest whole second.
	PeakRecordsAcknowledgedPerS int64 `json:"peak_records_acknowledged_per_s"`
}

// NewResult fills a Result's measurements from a recorder snapshot; the
// caller sets the run's metadata.
func NewResult(s Snapshot, elapsed time.Duration) *Result {
	c := s.Counters
	r := &Result{
		SchemaVersion: SchemaVersion,
		ElapsedS:      elapsed.Seconds(),
		Totals: Totals{
			RecordsScheduled:    c[RecordsScheduled],
			RecordsSent:         c[RecordsSent],
			RecordsAcknowledged: c[RecordsAcknowledged],
			BytesAcknowledged:   c[BytesAcknowledged],
			PutAttempts:         c[PutAttempts],
			RecordsThrottled:    c[RecordsThrottled],
			RecordsFailed:       c[RecordsFailed],
			RecordsRetried:      c[RecordsRetried],
			RecordsDeadLettered: c[RecordsDeadLettered],
			RecordsUnfinished:   c[RecordsUnfinished],
			RecordsDropped:      c[RecordsDropped],
			PutCalls:            c[PutCalls],
			PutCallErrors:       c[PutCallErrors],
			RecordsConsumed:     c[RecordsConsumed],
			BytesConsumed:       c[BytesConsumed],
			GetRecordsCalls:     c[GetRecordsCalls],
			ReadThrottles:       c[ReadThrottles],
		},
		LatencyMs: make(map[string]Percentiles, len(s.Latency)),
		Series:    s.Series,
		Files:     map[string]string{},
	}
	if r.Series == nil {
		r.Series = []SeriesPoint{}
	}
	for m, p := range s.Latency {
		r.LatencyMs[m.Name()] = p
	}
	for m, d := range s.Distribution {
		if len(d) > 0 {
			if r.LatencyDistributionMs == nil {
				r.LatencyDistributionMs = make(map[string][]QuantileValue, len(s.Distribution))
			}
			r.LatencyDistributionMs[m.Name()] = d
		}
	}
	if r.Totals.PutAttempts > 0 {
		r.ThrottledRatio = float64(r.Totals.RecordsThrottled) / float64(r.Totals.PutAttempts)
	}
	if secs := elapsed.Seconds(); secs > 0 {
		r.Throughput.RecordsAcknowledgedPerS = float64(r.Totals.RecordsAcknowledged) / secs
		r.Throughput.BytesAcknowledgedPerS = float64(r.Totals.BytesAcknowledged) / secs
	}
	for _, p := range r.Series {
		r.Throughput.PeakRecordsAcknowledgedPerS = max(r.Throughput.PeakRecordsAcknowledgedPerS, p.RecordsAcknowledged)
	}
	return r
}

// WriteJSON writes the result to path atomically (a temporary file renamed
// into place), so a crash never leaves half a result.json.
func (r *Result) WriteJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".result-*.json")
	if err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write result: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write result: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

// ReadResult reads a result.json.
func ReadResult(path string) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: not a kinesim result.json: %w", path, err)
	}
	return &r, nil
}
