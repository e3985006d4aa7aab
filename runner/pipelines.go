package runner

import (
	"fmt"
	"time"

	"github.com/kinesim/kinesim/chaos"
	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/runner/pipeline"
	"github.com/kinesim/kinesim/scenarios"
)

// pipelines are a run's applications under test (scenario pipelines):
// the producers note their records' intended send times, and a reader per
// pipeline reads the application's output stream.
type pipelines struct {
	sendTimes *pipeline.SendTimes
	readers   []*pipeline.Pipeline
}

// applicationChaos hands the chaos timeline to whoever serves the
// applications (Config.ChaosReady); without one, a fault on an application
// cannot reach it and is an error.
func (r *run) applicationChaos() error {
	if r.cfg.ChaosReady != nil {
		r.cfg.ChaosReady(r.faults)
		return nil
	}
	for i, f := range r.cfg.Scenario.Chaos {
		if f.IsApplicationFault() {
			return fmt.Errorf("chaos[%d] application %s: kinesim reaches an application's calls only when it serves them; run the scenario with kinesim emulate --scenario, and point the application at it", i, f.Application)
		}
	}
	return nil
}

// startPipelines starts reading each pipeline's output stream and hooks the
// producers to the send times; nil without pipelines.
func (r *run) startPipelines(led *ledger.Ledger) (*pipelines, error) {
	sc := r.cfg.Scenario
	if len(sc.Pipelines) == 0 {
		return nil, nil
	}
	window := 0
	for _, pc := range sc.Pipelines {
		window = max(window, pc.LatencyWindow)
	}
	ps := &pipelines{sendTimes: pipeline.NewSendTimes(window)}
	for _, p := range r.producers {
		p.sendTimes = ps.sendTimes.Producer(p.cfg.Name)
	}
	for _, pc := range sc.Pipelines {
		pl, err := pipeline.Start(pipeline.Config{Pipeline: pc, Reader: r.cfg.Target, Ledger: led,
			Producers: pipeline.Names(sc, pc), SendTimes: ps.sendTimes, Clock: r.cfg.Clock})
		if err != nil {
			ps.finish(r.cfg.Clock, 0)
			return nil, err
		}
		ps.readers = append(ps.readers, pl)
	}
	return ps, nil
}

// finish lets every pipeline's output settle, at most drain, together.
func (ps *pipelines) finish(clk clock.Clock, drain time.Duration) {
	if ps == nil {
		return
	}
	g := clock.NewGroup(clk)
	for _, pl := range ps.readers {
		g.Go(func() { pl.Finish(drain) })
	}
	g.Wait()
}

// deliveryCounters are the pipelines' ledger consumers, for chaos.
func (ps *pipelines) deliveryCounters() []chaos.DeliveryCounter {
	if ps == nil {
		return nil
	}
	out := make([]chaos.DeliveryCounter, len(ps.readers))
	for i, pl := range ps.readers {
		out[i] = pl.DeliveryCounter()
	}
	return out
}

// results are the pipelines' results, each with its first hop (the
// producers writing to its input stream) from the run's result.
func (ps *pipelines) results(sc *scenarios.Scenario, res *result.Result) []result.Pipeline {
	if ps == nil {
		return nil
	}
	out := make([]result.Pipeline, len(ps.readers))
	for i, pl := range ps.readers {
		out[i] = pl.Result(firstHop(sc, sc.Pipelines[i], res))
	}
	return out
}

// firstHop is producers to the input stream: the records they made, the
// ones acknowledged, the ones that failed every attempt or were cut off,
// and record latency (intended send time to acknowledgement; of every
// producer of the run, as the run keeps one histogram for them all).
func firstHop(sc *scenarios.Scenario, pc scenarios.Pipeline, res *result.Result) result.Hop {
	names := pipeline.Names(sc, pc)
	h := result.Hop{Name: "producer -> input", To: pc.Input, LatencyMs: res.LatencyMs["record"]}
	for i, p := range res.Producers {
		if i == 0 {
			h.From = p.Name
		} else if contains(names, p.Name) {
			h.From += ", " + p.Name
		}
		if !contains(names, p.Name) || p.Totals == nil {
			continue
		}
		h.RecordsIn += p.Totals.RecordsSent
		h.RecordsOut += p.Totals.RecordsAcknowledged
		h.Lost += p.Totals.RecordsDeadLettered + p.Totals.RecordsUnfinished
	}
	return h
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}
