package chaos

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
)

// DeliveryCounter says how many times a consumer received a record, by the
// record's kinesim id (runner/ledger's *Consumer has it).
type DeliveryCounter interface {
	DeliveryCount(recordID string) int
}

// RedeliveryCounter attributes a consumer's re-deliveries to its restarts
// (runner/ledger's *Consumer has it): the records delivered again in the
// generation that began at a crash or a lease move.
type RedeliveryCounter interface {
	Name() string
	RedeliveriesAt(at time.Time) (n int64, ok bool)
}

// PreFaultWindow is how much of the run before a fault sets the level its
// damage must return to.
const PreFaultWindow = 5 * time.Second

// Results says what each fault did, in timeline order. res is the run's
// result (its per-second series measure backlog and send delay); consumers
// are the ledger's consumers, which count the duplicate deliveries of the
// records producer faults stored twice. Without consumers a producer fault's
// duplicates are the records it stored twice.
func (p *Injector) Results(res *result.Result, consumers []DeliveryCounter) []result.FaultResult {
	if p.Empty() {
		return nil
	}
	levels := newLevels(res.Series, len(p.sc.Consumers))
	out := make([]result.FaultResult, 0, len(p.faults))
	for _, f := range p.faults {
		f.mu.Lock()
		twice := slices.Clone(f.twice)
		detail, errText, took := f.detail, f.errText, f.took
		f.mu.Unlock()
		r := result.FaultResult{
			Index:           f.index,
			Fault:           f.kind,
			Description:     describe(&f.cfg),
			AtS:             f.cfg.At.D().Seconds(),
			ForS:            f.cfg.For.D().Seconds(),
			CallsAffected:   f.calls.Load(),
			RecordsAffected: f.records.Load(),
			RetriesCaused:   f.retries.Load(),
			Detail:          detail,
			Error:           errText,
		}
		if f.cfg.IsStreamOperation() {
			r.ForS = took.Seconds()
		}
		switch {
		case f.cfg.ConsumerFault == scenarios.ConsumerCrash || f.cfg.ConsumerFault == scenarios.ConsumerLeaseLoss:
			r.DuplicatesCaused = f.redelivered.Load()
			if n, ok := redeliveriesOf(f, consumers); ok {
				r.DuplicatesCaused = n
			}
		case f.cfg.IsConsumerFault(), f.kind == scenarios.FaultFailedDelivery:
			r.DuplicatesCaused = f.redelivered.Load()
		case len(consumers) == 0:
			r.DuplicatesCaused = int64(len(twice))
		default:
			r.DuplicatesCaused = duplicatesOf(twice, countersFor(&f.cfg, consumers))
		}
		r.PeakBacklogRecords, r.RecoveryS = levels.recovery(r.AtS, r.AtS+r.ForS)
		out = append(out, r)
	}
	return out
}

// redeliveriesOf sums the re-deliveries of the generations f began in the
// consumers it hit, when they keep generations.
func redeliveriesOf(f *fault, consumers []DeliveryCounter) (n int64, ok bool) {
	for _, c := range consumers {
		rc, is := c.(RedeliveryCounter)
		if !is || f.cfg.Consumer != "" && rc.Name() != f.cfg.Consumer {
			continue
		}
		if k, found := rc.RedeliveriesAt(f.from); found {
			n += k
			ok = true
		}
	}
	return n, ok
}

// countersFor are the consumers whose deliveries show f's duplicates: the
// application's own (ApplicationConsumer) for a fault on an application,
// the others otherwise.
func countersFor(f *scenarios.Fault, consumers []DeliveryCounter) []DeliveryCounter {
	var out []DeliveryCounter
	for _, c := range consumers {
		named, ok := c.(interface{ Name() string })
		app := ok && strings.HasPrefix(named.Name(), ApplicationConsumer(""))
		switch {
		case f.IsApplicationFault() && ok && named.Name() == ApplicationConsumer(f.Application):
			out = append(out, c)
		case !f.IsApplicationFault() && !app:
			out = append(out, c)
		}
	}
	return out
}

// duplicatesOf counts the deliveries beyond the first of the records, for
// the consumer that saw the most.
func duplicatesOf(ids []string, consumers []DeliveryCounter) int64 {
	var most int64
	for _, c := range consumers {
		var n int64
		for _, id := range ids {
			if d := c.DeliveryCount(id); d > 1 {
				n += int64(d - 1)
			}
		}
		most = max(most, n)
	}
	return most
}

// levels are the per-second send delay (p99, ms), backlog (records
// acknowledged and not yet consumed) and iterator age (the largest
// MillisBehindLatest, ms; NaN in a second without a read) of a run.
type levels struct {
	sendDelay   []float64
	backlog     []int64
	iteratorAge []float64
	consumers   bool
	// readAges is true when any second has an iterator age.
	readAges bool
}

func newLevels(series []result.SeriesPoint, consumers int) *levels {
	l := &levels{consumers: consumers > 0}
	var acked, consumed int64
	for _, pt := range series {
		for len(l.sendDelay) < pt.Second {
			// A second with nothing recorded holds the level of the one before.
			l.sendDelay = append(l.sendDelay, 0)
			l.backlog = append(l.backlog, acked-consumed/int64(max(consumers, 1)))
			l.iteratorAge = append(l.iteratorAge, math.NaN())
		}
		acked += pt.RecordsAcknowledged
		consumed += pt.RecordsConsumed
		age := math.NaN()
		if pt.IteratorAgeMs != nil {
			age, l.readAges = *pt.IteratorAgeMs, true
		}
		// A point of a long run's downsampled series covers several
		// seconds: each of them gets the point's level.
		for range pt.Span() {
			l.sendDelay = append(l.sendDelay, pt.SendDelayMs.P99)
			l.backlog = append(l.backlog, max(acked-consumed/int64(max(consumers, 1)), 0))
			l.iteratorAge = append(l.iteratorAge, age)
		}
	}
	return l
}

// near reports whether v is back at level: within 10% of it, plus 1 (ms or
// a record) so that a level of zero can be met.
func near(v, level float64) bool { return v <= level*1.1+1 }

// recovery returns the peak backlog from a fault's start to its recovery
// and how long after its end (seconds) send delay, backlog and iterator age
// were all back at their level in the PreFaultWindow before it; nil when
// they never were. The iterator age counts once a read after the fault's
// end has measured it: a stalled or cut-off consumer reads nothing during
// the fault, and its first read after it says how far behind it is.
func (l *levels) recovery(atS, endS float64) (peak int64, recovery *float64) {
	at, end := int(atS), int(endS+0.999)
	if len(l.sendDelay) == 0 {
		return 0, nil
	}
	from := max(at-int(PreFaultWindow/time.Second), 0)
	var delayLevel, ageLevel float64
	var backlogLevel int64
	if from < at {
		for s := from; s < at && s < len(l.sendDelay); s++ {
			delayLevel = max(delayLevel, l.sendDelay[s])
			backlogLevel = max(backlogLevel, l.backlog[s])
			if !math.IsNaN(l.iteratorAge[s]) {
				ageLevel = max(ageLevel, l.iteratorAge[s])
			}
		}
	} else {
		// No time before the fault: the run's typical second.
		delayLevel = median(l.sendDelay)
		backlogLevel = int64(median(toFloats(l.backlog)))
		ageLevel = median(slices.DeleteFunc(slices.Clone(l.iteratorAge), math.IsNaN))
	}
	lastAge := math.NaN() // the latest iterator age read since the fault's end
	for s := at; s < len(l.sendDelay); s++ {
		if l.consumers {
			peak = max(peak, l.backlog[s])
		}
		if s < end {
			continue
		}
		if !math.IsNaN(l.iteratorAge[s]) {
			lastAge = l.iteratorAge[s]
		}
		delayOK := near(l.sendDelay[s], delayLevel)
		backlogOK := !l.consumers || near(float64(l.backlog[s]), float64(backlogLevel))
		ageOK := !l.readAges || !math.IsNaN(lastAge) && near(lastAge, ageLevel)
		if delayOK && backlogOK && ageOK {
			d := float64(s - end)
			return peak, &d
		}
	}
	return peak, nil
}

func toFloats(xs []int64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// describe says what a fault is, in a few words.
func describe(f *scenarios.Fault) string {
	var what string
	share := func(p float64, n int) string {
		switch {
		case n > 0:
			return fmt.Sprintf("count %d", n)
		case p > 0:
			return fmt.Sprintf("probability %g", p)
		}
		return "every one"
	}
	switch f.Kind() {
	case scenarios.FaultProducerTimeout:
		t := f.ProducerTimeout
		what = "timeouts"
		if t.AckLost {
			what = "lost-ack timeouts"
		}
		what += " (" + share(t.Probability, t.Count) + ")"
	case scenarios.FaultInjectError:
		what = fmt.Sprintf("injected %s (%s)", f.InjectError.Kind, share(f.InjectError.Probability, f.InjectError.Count))
	case scenarios.FaultLatency:
		l := f.Latency
		switch {
		case l.Uniform != nil:
			what = fmt.Sprintf("latency uniform %v..%v", l.Uniform.Min, l.Uniform.Max)
		case l.LogNormal != nil:
			what = fmt.Sprintf("latency log-normal median %v sigma %g", l.LogNormal.Median, l.LogNormal.Sigma)
		default:
			what = fmt.Sprintf("latency %v", l.Fixed)
		}
		what += " (" + share(l.Probability, l.Count) + ")"
	case scenarios.FaultDuplicateSend:
		what = "duplicate sends (" + share(f.DuplicateSend.Probability, f.DuplicateSend.Count) + ")"
	case scenarios.FaultSplitShard:
		what = "split the " + f.SplitShard + " shard"
	case scenarios.FaultMergeShards:
		what = "merge the " + f.MergeShards + " adjacent shards"
	case scenarios.FaultUpdateShardCount:
		what = fmt.Sprintf("update shard count to %d", f.UpdateShardCount)
	case scenarios.FaultConsumer:
		what = "consumer " + f.ConsumerFault
	case scenarios.FaultFailedDelivery:
		what = "failed S3 deliveries, retried"
		if f.FailedDelivery.AfterWrite {
			what = "failed S3 deliveries after the write (duplicates)"
		}
		what += " (" + share(f.FailedDelivery.Probability, f.FailedDelivery.Count) + ")"
	case scenarios.FaultFirehoseQuota:
		what = describeQuota(f.FirehoseQuota)
	case scenarios.FaultNetwork:
		n := f.Network
		what = "network"
		if n.Latency > 0 {
			what += fmt.Sprintf(" latency %v", n.Latency)
		}
		if n.Bandwidth > 0 {
			what += fmt.Sprintf(" bandwidth %d B/s", n.Bandwidth)
		}
		if n.Reset {
			what += " reset"
		}
		if n.Down {
			what += " down"
		}
	}
	switch {
	case f.Producer != "":
		what += " on producer " + f.Producer
	case f.Consumer != "":
		what += " on consumer " + f.Consumer
	case f.Application != "":
		what += " on application " + f.Application
	}
	return what
}

// describeQuota names the rates a firehose_quota fault lowers.
func describeQuota(q *scenarios.QuotaFault) string {
	var rates []string
	if q.RecordsPerS > 0 {
		rates = append(rates, fmt.Sprintf("%d records/s", q.RecordsPerS))
	}
	if q.RequestsPerS > 0 {
		rates = append(rates, fmt.Sprintf("%d requests/s", q.RequestsPerS))
	}
	if q.BytesPerS > 0 {
		rates = append(rates, fmt.Sprintf("%d B/s", q.BytesPerS))
	}
	return "Firehose quota lowered to " + strings.Join(rates, ", ")
}
