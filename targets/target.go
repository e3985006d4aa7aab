// Package targets opens the stream target a scenario names and chooses the
// clock it runs on, for the command line and package plan alike: the
// emulated stream (with a simulated service-latency model in virtual time)
// or Kinesis through the SDK driver, behind a chaos proxy when the scenario
// has network faults. A run on Amazon Kinesis itself is stopped by a cost
// guard, with an estimate from the dated price table, unless the user
// confirmed it. runner.Run takes what Open returns and knows only
// stream.Target; only this package and the driver know the SDK is there.
//
// Concurrency: Open, NewClock and EstimateCost keep no state and may be
// called from any goroutine. Each Open returns its own target (safe for
// concurrent use, as every stream.Target is) and proxy; the caller closes it
// once, after the run.
package targets

import (
	"context"
	"fmt"
	"time"

	"github.com/kinesim/kinesim/chaos"
	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/kinesis"
)

// Options are the command line's say in opening a target.
type Options struct {
	// Yes confirms a run against Amazon Kinesis itself (it costs money).
	Yes bool
	// Clock is the emulated stream's clock (default the wall clock); a run
	// in virtual time shares its simulated clock with the stream.
	Clock clock.Clock
	// RunDir is the run folder; an emulated delivery stream writes its
	// bucket under it (DestinationFolder) unless the scenario names a folder.
	RunDir string
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

// NewClock returns the clock a scenario runs on: the wall clock (spinning
// below clock.RunSpinBelow), or a virtual clock starting at start when the
// scenario says clock: virtual.
func NewClock(sc *scenarios.Scenario, start time.Time) clock.Clock {
	if sc.Clock == scenarios.ClockVirtual {
		return clock.NewVirtual(start)
	}
	return clock.Real{SpinBelow: clock.RunSpinBelow}
}

// CostGuardError stops a run that would create streams on Amazon Kinesis
// itself without the user's confirmation. Nothing has been created.
type CostGuardError struct {
	Endpoint string
	Estimate CostEstimate
}

func (e *CostGuardError) Error() string {
	if e.Estimate.Firehose {
		return fmt.Sprintf("this run would create a delivery stream on %s, which costs money: %s; "+
			"confirm with --yes or allow_real_aws: true in the scenario's target, or point target.endpoint at a Firehose-compatible server (kinesim emulate)",
			e.Endpoint, e.Estimate)
	}
	return fmt.Sprintf("this run would create streams on Amazon Kinesis itself (%s), which costs money: %s; "+
		"confirm with --yes or allow_real_aws: true in the scenario's target, or point --endpoint at a Kinesis-compatible server",
		e.Endpoint, e.Estimate)
}

// Opened is a scenario's target, open: the fields of runner.Config it fills.
type Opened struct {
	// Target is the stream endpoint.
	Target stream.Target
	// Endpoint names the target's address in the report (empty for the
	// emulated stream).
	Endpoint string
	// Proxy is the chaos proxy every connection to the target goes
	// through, for the scenario's network faults; nil when it has none.
	Proxy *chaos.Proxy
	// Delivery reads a firehose target's S3 destination back after the
	// run (runner.Config.Delivery); nil for streams.
	Delivery *runner.DeliveryCheck
	close    func()
}

// Close releases the target (it stops the proxy, if any).
func (o *Opened) Close() { o.close() }

// Open connects to the scenario's target. It makes no call that creates
// anything; a run on Amazon Kinesis itself without confirmation is a
// *CostGuardError.
func Open(ctx context.Context, sc *scenarios.Scenario, o Options) (*Opened, error) {
	switch sc.Target.Kind {
	case scenarios.TargetEmulated:
		return &Opened{Target: openEmulated(sc, o.Clock), close: func() {}}, nil
	case scenarios.TargetKinesis:
		return openKinesis(ctx, sc, o.Yes)
	case scenarios.TargetFirehose:
		return openFirehose(ctx, sc, o)
	}
	return nil, fmt.Errorf("target kind %q is not supported", sc.Target.Kind)
}

// openEmulated makes the emulated stream on clk (the wall clock when nil).
func openEmulated(sc *scenarios.Scenario, clk clock.Clock) *emulated.Emulator {
	opts := []emulated.Option{emulated.WithMaxRecordSize(int(sc.Target.MaxRecordSize)), emulated.WithSeed(uint64(sc.Seed))}
	if clk != nil {
		opts = append(opts, emulated.WithClock(clk))
	}
	if clock.IsSimulated(clk) {
		// In virtual time an in-memory call would take no time at all;
		// latencies come from the stated model instead.
		opts = append(opts,
			emulated.WithServiceLatency(emulated.OpPutRecords, SimulatedPutRecordsLatency),
			emulated.WithServiceLatency(emulated.OpGetRecords, SimulatedGetRecordsLatency))
	}
	return emulated.New(opts...)
}

// openKinesis connects the SDK driver to the scenario's endpoint, behind
// the cost guard, and through a chaos proxy when the scenario has network
// faults.
func openKinesis(ctx context.Context, sc *scenarios.Scenario, yes bool) (*Opened, error) {
	t := sc.Target
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
		return nil, err
	}
	// The guard judges the endpoint the calls are addressed to, before
	// anything (a chaos proxy included) is started.
	if tg.IsAWS() && !t.Existing && !yes && !t.AllowRealAWS {
		est, err := EstimateCost(sc, nil)
		if err != nil {
			return nil, err
		}
		return nil, &CostGuardError{Endpoint: tg.Describe(), Estimate: est}
	}
	if !hasNetworkFaults(sc) {
		return &Opened{Target: tg, Endpoint: tg.Describe(), close: func() {}}, nil
	}
	// Network faults need every connection to go through the proxy.
	// Only the connections move: URL, TLS server name and signing stay
	// the endpoint's (its own, the SDK's environment's or AWS's).
	proxy, err := chaos.StartProxy(tg.Addr())
	if err != nil {
		return nil, err
	}
	proxied, err := kinesis.New(ctx, append(opts, kinesis.WithDialAddress(proxy.Addr()))...)
	if err != nil {
		proxy.Close()
		return nil, err
	}
	return &Opened{
		Target:   proxied,
		Endpoint: proxied.Describe() + " through the chaos proxy at " + proxy.Addr(),
		Proxy:    proxy,
		close:    proxy.Close,
	}, nil
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
