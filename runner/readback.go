package runner

import (
	"time"

	"github.com/kinesim/kinesim/chaos"
	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/runner/consume"
	"github.com/kinesim/kinesim/runner/segment"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// startConsumers starts the scenario's consumers (package consume), which
// open the run's ledger in outDir, and hooks the producers to the ledger.
func startConsumers(sc *scenarios.Scenario, reader stream.Reader, rec *metrics.Recorder, clk clock.Clock, start time.Time, outDir string, producers []*producer, faults *chaos.Injector, seg segment.Segment) (*consume.Group, error) {
	g, err := consume.Start(consume.Config{Scenario: sc, Reader: reader, Recorder: rec, Clock: clk, Start: start, OutDir: outDir, Faults: faults, Segment: seg})
	if err != nil {
		return nil, err
	}
	for _, p := range producers {
		p.ledger = g.Ledger().Producer(p.cfg.Name)
	}
	return g, nil
}
