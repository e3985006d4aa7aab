package runner

import (
	"context"
	"fmt"

	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

// OpenTarget connects to the scenario's target. It returns the target, the
// endpoint to name in reports (empty for the emulated stream) and a function
// that releases it.
func OpenTarget(ctx context.Context, sc *scenarios.Scenario) (target stream.Target, endpoint string, closeFn func(), err error) {
	switch sc.Target.Kind {
	case scenarios.TargetEmulated:
		return emulated.New(emulated.WithMaxRecordSize(int(sc.Target.MaxRecordSize))), "", func() {}, nil
	default:
		return nil, "", nil, fmt.Errorf("target kind %q is not supported yet", sc.Target.Kind)
	}
}
