package plan

import (
	"fmt"
	"math"
	"strings"

	"github.com/kinesim/kinesim/pricing"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// Result is a plan: the traffic, every candidate tried, the recommendation.
type Result struct {
	Scenario     string     `json:"scenario"`
	ScenarioFile string     `json:"scenario_file"`
	Seed         int64      `json:"seed"`
	Objectives   Objectives `json:"objectives"`
	Traffic      Traffic    `json:"traffic"`
	// Candidates are every provisioned shard count tried, fewest first.
	Candidates []Candidate `json:"candidates"`
	// Recommended is the fewest shards meeting every objective; 0 when no
	// count up to Objectives.MaxShards does.
	Recommended int      `json:"recommended_shards"`
	OnDemand    OnDemand `json:"on_demand"`
	// HotKeys are the keys taking a quarter of a shard or more at their peak.
	HotKeys []HotKey `json:"hot_keys,omitempty"`
	// Blockers are what no shard count can fix, each with its fix.
	Blockers []Blocker `json:"blockers,omitempty"`
	// Advice says, in sentences, what binds the plan and what would help.
	Advice []string  `json:"advice,omitempty"`
	Prices PriceInfo `json:"prices"`
	Model  Model     `json:"model"`
	// Aggregation is what KPL aggregation does to the plan, when a
	// producer aggregates: user records per Kinesis record, the size
	// overhead, and the shards it saves.
	Aggregation *Aggregation `json:"aggregation,omitempty"`
}

// Traffic describes the scenario's writes and reads.
type Traffic struct {
	DurationS       float64 `json:"duration_s"`
	Records         float64 `json:"records"`
	Bytes           float64 `json:"bytes"`
	MeanRecordBytes float64 `json:"mean_record_bytes"`
	PeakRecordsPerS float64 `json:"peak_records_per_s"`
	PeakBytesPerS   float64 `json:"peak_bytes_per_s"`
	PeakAtS         int     `json:"peak_at_s"`
	// MonthFactor is how many runs of the scenario make a month (730 h),
	// from the real time it represents.
	MonthFactor       float64 `json:"month_factor"`
	PollingConsumers  int     `json:"polling_consumers"`
	PollCallsPerShard float64 `json:"poll_calls_per_shard_per_s"`
	EFOConsumers      int     `json:"efo_consumers"`
}

// Candidate is one provisioned shard count, simulated.
type Candidate struct {
	Shards int `json:"shards"`
	// WriteThrottleRatio is the share of first write attempts throttled.
	WriteThrottleRatio float64 `json:"write_throttle_ratio"`
	// CoarseErrorBound is how far WriteThrottleRatio may be off where the
	// fluid model ran in seconds near a limit (see the package comment).
	CoarseErrorBound float64 `json:"coarse_error_bound"`
	// PeakWriteUtilisation is the busiest shard's load at the peak, as a
	// share of its write limits (1 = full).
	PeakWriteUtilisation float64 `json:"peak_write_utilisation"`
	// PeakReadUtilisation is the same for the shared read limits
	// (5 calls/s, 2 MiB/s) under the polling consumers.
	PeakReadUtilisation float64 `json:"peak_read_utilisation"`
	HottestShard        string  `json:"hottest_shard"`
	HottestShardPeakAtS int     `json:"hottest_shard_peak_at_s"`
	// HottestKey is the heaviest key on the hottest shard ("" when its
	// keys are many and even) and KeyUtilisation its share of a shard.
	HottestKey     string  `json:"hottest_key,omitempty"`
	KeyUtilisation float64 `json:"hottest_key_utilisation,omitempty"`
	Meets          bool    `json:"meets"`
	// Fails says which objectives the count misses.
	Fails       []string `json:"fails,omitempty"`
	MonthlyCost Cost     `json:"monthly_cost"`
	// Measured is what a run in virtual time measured; only the counts
	// that matter are run (the recommended one and the one below).
	Measured *Measured `json:"measured,omitempty"`
}

// OnDemand judges on-demand mode at steady state: its capacity follows
// twice the previous peak, so only the per-key limits (1 MiB/s and 1,000
// records/s a key) can throttle.
type OnDemand struct {
	WriteThrottleRatio float64  `json:"write_throttle_ratio"`
	Meets              bool     `json:"meets"`
	Fails              []string `json:"fails,omitempty"`
	// FirstDay is a new on-demand stream's first run of the scenario,
	// scaling from 4 MiB/s and 4,000 records/s; FirstDayNote says when it
	// throttles.
	FirstDay     FirstDay `json:"first_day"`
	FirstDayNote string   `json:"first_day_note,omitempty"`
	MonthlyCost  Cost     `json:"monthly_cost"`
}

// Cost is a monthly cost and its parts, in the prices' currency.
type Cost struct {
	Total float64            `json:"total"`
	Parts map[string]float64 `json:"parts"`
}

// Blocker is something no shard count fixes.
type Blocker struct {
	Kind    string `json:"kind"` // hot_key_records, hot_key_bytes, hot_key_headroom, read_calls
	Key     string `json:"key,omitempty"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

// PriceInfo names the price table used.
type PriceInfo struct {
	Region    string   `json:"region"`
	Date      string   `json:"date"`
	Currency  string   `json:"currency"`
	Source    string   `json:"source"`
	Unsourced []string `json:"unsourced,omitempty"`
}

// Model says how the simulation was split between its two models.
type Model struct {
	RecordBudget     int `json:"record_budget"`
	PerRecordRecords int `json:"per_record_records"`
	PerRecordSeconds int `json:"per_record_seconds"`
	FluidSeconds     int `json:"fluid_seconds"`
	// MeasureWindowS is the longest span of the scenario the measured
	// runs covered, around its peak; 0 when none ran.
	MeasureWindowS int `json:"measure_window_s,omitempty"`
}

func (p *planner) summarize(sc *scenarios.Scenario) *Result {
	t := p.t
	res := &Result{
		Scenario: sc.Name, ScenarioFile: sc.File, Seed: sc.Seed, Objectives: p.obj,
		HotKeys: p.hot,
		Prices: PriceInfo{Region: p.prices.Region, Date: p.prices.Date, Currency: p.prices.Currency,
			Source: p.prices.Source, Unsourced: p.prices.Unsourced},
		Model: Model{RecordBudget: len(t.records), PerRecordRecords: len(t.records)},
	}
	if p.fluidOnly {
		res.Model.RecordBudget = 0
	}
	for _, w := range t.windows {
		res.Model.PerRecordSeconds += w.end - w.start
	}
	res.Model.FluidSeconds = t.seconds - res.Model.PerRecordSeconds
	tr := &res.Traffic
	tr.DurationS = sc.Duration.D().Seconds()
	tr.MonthFactor = p.months
	tr.PollingConsumers, tr.PollCallsPerShard, tr.EFOConsumers = t.polling, t.pollCallsPerShard, t.efo
	for s := range t.seconds {
		var recs, bytes float64
		for _, pt := range t.producers {
			recs += pt.peak[s]
			bytes += pt.peak[s] * pt.meanBytes
		}
		if recs > tr.PeakRecordsPerS {
			tr.PeakRecordsPerS, tr.PeakBytesPerS, tr.PeakAtS = recs, bytes, s
		}
	}
	for _, pt := range t.producers {
		tr.Records += pt.totalRecords
		tr.Bytes += pt.totalRecords * pt.meanBytes
	}
	if tr.Records > 0 {
		tr.MeanRecordBytes = tr.Bytes / tr.Records
	}
	return res
}

// candidate judges one evaluation against the objectives and prices it.
func (p *planner) candidate(ev evaluation) *Candidate {
	c := &Candidate{
		Shards:               ev.shards,
		PeakWriteUtilisation: ev.peakWrite,
		PeakReadUtilisation:  ev.peakRead,
		HottestShard:         stream.ShardID(ev.peakShard),
		HottestShardPeakAtS:  ev.peakAt,
	}
	if p.t.total > 0 {
		c.WriteThrottleRatio = ev.throttled / p.t.total
		c.CoarseErrorBound = ev.errorBound / p.t.total
	}
	if k, u := hottestKeyOn(p.t, p.keyPeak, ev.peakShard, ev.shards); k >= 0 && u >= 0.01 {
		c.HottestKey, c.KeyUtilisation = p.t.keys[k].name, u
	}
	limit := 1 - p.obj.Headroom + utilSlack
	if c.WriteThrottleRatio > p.obj.MaxWriteThrottleRatio {
		c.Fails = append(c.Fails, fmt.Sprintf("write throttle ratio %s > %s", pct(c.WriteThrottleRatio), pct(p.obj.MaxWriteThrottleRatio)))
	}
	if c.PeakWriteUtilisation > limit {
		c.Fails = append(c.Fails, fmt.Sprintf("peak write %s on %s %s", pct(c.PeakWriteUtilisation), c.HottestShard, headroomText(p.obj.Headroom)))
	}
	if c.PeakReadUtilisation > limit {
		c.Fails = append(c.Fails, fmt.Sprintf("peak read %s (%d polling consumers) %s", pct(c.PeakReadUtilisation), p.t.polling, headroomText(p.obj.Headroom)))
	}
	c.Meets = len(c.Fails) == 0
	c.MonthlyCost = p.provisionedCost(ev.shards)
	return c
}

func headroomText(h float64) string {
	if h == 0 {
		return "> 100%"
	}
	return fmt.Sprintf("> %s (headroom %s)", pct(1-h), pct(h))
}

func pct(x float64) string {
	switch {
	case x == 0:
		return "0%"
	case x < 0.0001:
		return fmt.Sprintf("%.4f%%", 100*x)
	case x < 0.01:
		return fmt.Sprintf("%.2f%%", 100*x)
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}

// blockers lists what no shard count fixes: a key over a shard's limits
// alone, a key over the headroom alone, and polling consumers calling
// GetRecords more than 5 times a second a shard.
func (p *planner) blockers() []Blocker {
	var bs []Blocker
	limit := 1 - p.obj.Headroom + utilSlack
	floor := 0.0
	for _, hk := range p.hot {
		floor += hk.ThrottledAlone
	}
	spread := "spread the key: append a suffix (KEY-0 … KEY-9, readers group by the prefix), or give its records ExplicitHashKeys spread over the hash key space"
	for _, hk := range p.hot {
		switch {
		case hk.PeakRecordsPerS > shardRecordsPerSecond*(1+utilSlack):
			bs = append(bs, Blocker{Kind: "hot_key_records", Key: hk.Key, Fix: spread,
				Message: fmt.Sprintf("partition key %q (%s) takes %s records/s at its peak, over one shard's 1,000 records/s: a key always lands on one shard, so no shard count fixes this",
					hk.Key, strings.Join(hk.Producers, ", "), count(hk.PeakRecordsPerS))})
		case hk.PeakBytesPerS > shardBytesPerSecond*(1+utilSlack):
			bs = append(bs, Blocker{Kind: "hot_key_bytes", Key: hk.Key, Fix: spread,
				Message: fmt.Sprintf("partition key %q (%s) takes %.2f MiB/s at its peak, over one shard's 1 MiB/s: a key always lands on one shard, so no shard count fixes this",
					hk.Key, strings.Join(hk.Producers, ", "), hk.PeakBytesPerS/shardBytesPerSecond)})
		case hk.Utilisation > limit:
			bs = append(bs, Blocker{Kind: "hot_key_headroom", Key: hk.Key, Fix: spread + ", or lower the headroom objective",
				Message: fmt.Sprintf("partition key %q alone fills %s of a shard at its peak, leaving less than the %s headroom: no shard count fixes this",
					hk.Key, pct(hk.Utilisation), pct(p.obj.Headroom))})
		}
	}
	if p.t.total > 0 && floor/p.t.total > p.obj.MaxWriteThrottleRatio && len(bs) == 0 {
		bs = append(bs, Blocker{Kind: "hot_key_records", Key: p.hot[0].Key, Fix: spread,
			Message: fmt.Sprintf("the hot keys alone throttle %s of writes even on shards of their own: no shard count fixes this", pct(floor/p.t.total))})
	}
	if calls := p.t.pollCallsPerShard; calls > shardReadCalls*limit {
		bs = append(bs, Blocker{Kind: "read_calls",
			Message: fmt.Sprintf("%d polling consumers make %.1f GetRecords calls/s on every shard, over the 5 calls/s a shard shares: no shard count fixes this", p.t.polling, calls),
			Fix:     "move consumers to enhanced fan-out (each gets its own 2 MiB/s a shard), or poll less often (poll_interval)"})
	}
	return bs
}

// blocked reports whether a blocker rules out every shard count.
func (p *planner) blocked() bool { return len(p.blockers()) > 0 }

// onDemand judges on-demand mode: at steady state the stream's capacity
// follows twice the previous peak, so the keys alone can throttle.
func (p *planner) onDemand() OnDemand {
	od := OnDemand{MonthlyCost: p.onDemandCost()}
	floor := 0.0
	for _, hk := range p.hot {
		floor += hk.ThrottledAlone
	}
	if p.t.total > 0 {
		od.WriteThrottleRatio = floor / p.t.total
	}
	if od.WriteThrottleRatio > p.obj.MaxWriteThrottleRatio {
		od.Fails = append(od.Fails, fmt.Sprintf("write throttle ratio %s > %s (hot keys: on-demand caps a key at 1 MiB/s and 1,000 records/s)", pct(od.WriteThrottleRatio), pct(p.obj.MaxWriteThrottleRatio)))
	}
	for _, b := range p.blockers() {
		if b.Kind == "hot_key_headroom" || b.Kind == "read_calls" {
			od.Fails = append(od.Fails, b.Message)
		}
	}
	od.Meets = len(od.Fails) == 0
	od.FirstDay = firstDay(p.t, p.splitDelay)
	od.FirstDayNote = firstDayNote(od.FirstDay, od.WriteThrottleRatio)
	return od
}

// gib is AWS's billing gigabyte.
const gib = pricing.GiB

// provisionedCost prices n shards for a month: shard-hours, PUT payload
// units, and enhanced fan-out consumer-shard-hours and data.
func (p *planner) provisionedCost(n int) Cost {
	pr := p.prices.Provisioned
	var units, bytes float64
	for _, pt := range p.t.producers {
		units += pt.totalRecords * pt.putUnits
		bytes += pt.totalRecords * pt.meanBytes
	}
	parts := map[string]float64{
		"shard_hours":       float64(n) * hoursPerMonth * pr.ShardHour,
		"put_payload_units": units * p.months / 1e6 * pr.PutPayloadUnitsPerMillion,
	}
	if p.t.efo > 0 {
		parts["efo_consumer_shard_hours"] = float64(p.t.efo*n) * hoursPerMonth * pr.EFOConsumerShardHour
		parts["efo_data"] = float64(p.t.efo) * bytes * p.months / gib * pr.EFOGB
	}
	return total(parts)
}

// onDemandCost prices a month of on-demand: the stream-hours, data in
// (each record rounded up to 1 KB) and data out to every consumer.
func (p *planner) onDemandCost() Cost {
	pr := p.prices.OnDemand
	var kb, bytes float64
	for _, pt := range p.t.producers {
		kb += pt.totalRecords * pt.kbUnits
		bytes += pt.totalRecords * pt.meanBytes
	}
	return total(map[string]float64{
		"stream_hours": hoursPerMonth * pr.StreamHour,
		"data_in":      kb * onDemandUnitBytes * p.months / gib * pr.GBIn,
		"data_out":     float64(p.t.polling+p.t.efo) * bytes * p.months / gib * pr.GBOut,
	})
}

func total(parts map[string]float64) Cost {
	c := Cost{Parts: parts}
	for _, v := range parts {
		c.Total += v
	}
	c.Total = math.Round(c.Total*100) / 100
	return c
}

// advice says what binds the plan and what would help, in sentences.
func (p *planner) advice(res *Result) []string {
	var out []string
	for _, b := range res.Blockers {
		out = append(out, b.Message+". Fix: "+b.Fix+".")
	}
	if res.Recommended == 0 {
		if len(res.Blockers) == 0 {
			out = append(out, fmt.Sprintf("No shard count up to %d meets the objectives; raise --max-shards or relax the objectives.", p.obj.MaxShards))
		}
		return out
	}
	var rec *Candidate
	for i := range res.Candidates {
		if res.Candidates[i].Shards == res.Recommended {
			rec = &res.Candidates[i]
		}
	}
	out = append(out, fmt.Sprintf("%d shards meet every objective: write throttle ratio %s, peak write %s on %s.",
		rec.Shards, pct(rec.WriteThrottleRatio), pct(rec.PeakWriteUtilisation), rec.HottestShard))
	if even := p.evenBound(); res.Recommended > even && rec.HottestKey != "" && rec.KeyUtilisation >= hotKeyFloor {
		out = append(out, fmt.Sprintf("Key %q binds the plan: it alone takes %s of %s at its peak; with even traffic %d shards would do. Uneven hash ranges would help: split the shard holding it at its hash key (SplitShard NewStartingHashKey %s) or send it with an ExplicitHashKey to a shard of its own.",
			rec.HottestKey, pct(rec.KeyUtilisation), rec.HottestShard, even, p.t.keys[p.t.keyIndex[rec.HottestKey]].hash.String()))
	}
	if res.OnDemand.Meets && res.OnDemand.MonthlyCost.Total < rec.MonthlyCost.Total {
		out = append(out, fmt.Sprintf("On-demand would also meet the objectives and costs less (%.2f vs %.2f %s a month).",
			res.OnDemand.MonthlyCost.Total, rec.MonthlyCost.Total, p.prices.Currency))
	}
	return out
}
