package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/kinesim/kinesim/chaos"
	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/kinesis"
)

// OpenOptions are the command line's say in opening a target.
type OpenOptions struct {
	// Yes confirms a run against Amazon Kinesis itself (it costs money).
	Yes bool
	// Clock is the emulated stream's clock (default the wall clock); a run
	// in virtual time shares its Virtual clock with the stream.
	Clock clock.Clock
}

// The service-latency model of the emulated stream in virtual time: a
// log-normal distribution given by its median and p99. AWS publishes no
// latency distribution; these are typical of PutRecords.Latency and
// GetRecords.Latency in CloudWatch for small batches in one region, and a
// report of a virtual run says its latencies are simulated.
var (
	SimulatedPutRecordsLatency = emulated.Latency{Median: 20 * time.Millisecond, P99: 80 * time.Millisecond}
	SimulatedGetRecordsLatency = emulated.Latency{Median: 10 * time.Millisecond, P99: 50 * time.Millisecond}
)

// WallClockSpin is the wall clock's SpinBelow for runs: waits shorter than
// it (the gaps between records above about 10,000 records/s) yield the
// processor instead of arming a timer that would wake late, keeping send
// delay under a millisecond at 50,000 records/s.
const WallClockSpin = 100 * time.Microsecond

// NewClock returns the clock a scenario runs on: the wall clock, or a
// virtual clock starting at start when the scenario says clock: virtual.
func NewClock(sc *scenarios.Scenario, start time.Time) clock.Clock {
	if sc.Clock == scenarios.ClockVirtual {
		return clock.NewVirtual(start)
	}
	return clock.Real{SpinBelow: WallClockSpin}
}

// CostGuardError stops a run that would create streams on Amazon Kinesis
// itself without the user's confirmation. Nothing has been created.
type CostGuardError struct {
	Endpoint string
	Estimate CostEstimate
}

func (e *CostGuardError) Error() string {
	return fmt.Sprintf("this run would create streams on Amazon Kinesis itself (%s), which costs money: %s; "+
		"confirm with --yes or allow_real_aws: true in the scenario's target, or point --endpoint at a Kinesis-compatible server",
		e.Endpoint, e.Estimate)
}

// OpenTarget connects to the scenario's target. It returns the target, the
// endpoint to name in reports (empty for the emulated stream) and a function
// that releases it. It makes no call that creates anything.
func OpenTarget(ctx context.Context, sc *scenarios.Scenario, o OpenOptions) (target stream.Target, endpoint string, closeFn func(), err error) {
	t := sc.Target
	switch t.Kind {
	case scenarios.TargetEmulated:
		opts := []emulated.Option{emulated.WithMaxRecordSize(int(t.MaxRecordSize)), emulated.WithSeed(uint64(sc.Seed))}
		if o.Clock != nil {
			opts = append(opts, emulated.WithClock(o.Clock))
		}
		if _, virtual := o.Clock.(*clock.Virtual); virtual {
			// In virtual time an in-memory call would take no time at all;
			// latencies come from the stated model instead.
			opts = append(opts,
				emulated.WithServiceLatency(emulated.OpPutRecords, SimulatedPutRecordsLatency),
				emulated.WithServiceLatency(emulated.OpGetRecords, SimulatedGetRecordsLatency))
		}
		return emulated.New(opts...), "", func() {}, nil
	case scenarios.TargetKinesis:
		opts := []kinesis.Option{kinesis.WithMaxInFlight(totalInFlight(sc))}
		if t.Endpoint != "" {
			opts = append(opts, kinesis.WithEndpoint(t.Endpoint))
		}
		if t.Region != "" {
			opts = append(opts, kinesis.WithRegion(t.Region))
		}
		if t.Profile != "" {
			opts = append(opts, kinesis.WithProfile(t.Profile))
		}
		tg, err := kinesis.New(ctx, opts...)
		if err != nil {
			return nil, "", nil, err
		}
		// The guard judges the endpoint the calls are addressed to, before
		// anything (a chaos proxy included) is started.
		if tg.IsAWS() && !t.Existing && !o.Yes && !t.AllowRealAWS {
			est, err := EstimateCost(sc, nil)
			if err != nil {
				return nil, "", nil, err
			}
			return nil, "", nil, &CostGuardError{Endpoint: tg.Describe(), Estimate: est}
		}
		if !hasNetworkFaults(sc) {
			return tg, tg.Describe(), func() {}, nil
		}
		// Network faults need every connection to go through the proxy.
		// Only the connections move: URL, TLS server name and signing stay
		// the endpoint's (its own, the SDK's environment's or AWS's).
		proxy, err := chaos.StartProxy(tg.Addr())
		if err != nil {
			return nil, "", nil, err
		}
		proxied, err := kinesis.New(ctx, append(opts, kinesis.WithDialAddress(proxy.Addr()))...)
		if err != nil {
			proxy.Close()
			return nil, "", nil, err
		}
		return &proxiedTarget{Target: proxied, proxy: proxy}, proxied.Describe() + " through the chaos proxy at " + proxy.Addr(), proxy.Close, nil
	}
	return nil, "", nil, fmt.Errorf("target kind %q is not supported", t.Kind)
}

// proxiedTarget is a Kinesis target whose connections go through a chaos
// proxy; its methods (Resharder, SingleWriter too) are the target's.
type proxiedTarget struct {
	*kinesis.Target
	proxy *chaos.Proxy
}

// chaosProxy returns the proxy in front of target, nil when there is none.
func chaosProxy(target stream.Target) *chaos.Proxy {
	if p, ok := target.(*proxiedTarget); ok {
		return p.proxy
	}
	return nil
}

func hasNetworkFaults(sc *scenarios.Scenario) bool {
	for _, f := range sc.Chaos {
		if f.Kind() == scenarios.FaultNetwork {
			return true
		}
	}
	return false
}

func totalInFlight(sc *scenarios.Scenario) int {
	n := 0
	for _, p := range sc.Producers {
		n += p.MaxInFlight
	}
	return n + 8*len(sc.Consumers)
}
