package emulated

import (
	"context"
	"time"

	"github.com/kinesim/kinesim/stream"
)

var _ stream.Describer = (*Emulator)(nil)

// DescribeStreamSummary reports a stream's status, mode, open shard count,
// retention period and consumer count. The emulator creates and deletes
// streams at once, so the status is ACTIVE, or UPDATING while a reshard
// (SplitShard, MergeShards, UpdateShardCount) waits out its delay (see
// WithReshardDelay). The summary has no ARN: the in-process emulator knows
// streams by name only.
func (e *Emulator) DescribeStreamSummary(ctx context.Context, streamName string) (*stream.StreamSummary, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st, err := e.lookup(streamName)
	if err != nil {
		return nil, err
	}
	sum := &stream.StreamSummary{
		Name:           st.name,
		Status:         stream.StatusActive,
		Mode:           st.mode,
		OpenShardCount: len(st.shards.Load().open),
		Retention:      time.Duration(st.retention.Load()),
		Created:        st.created,
	}
	st.ctl.Lock()
	if st.updating {
		sum.Status = stream.StatusUpdating
	}
	sum.ConsumerCount = len(st.consumers)
	st.ctl.Unlock()
	return sum, nil
}
