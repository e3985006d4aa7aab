package segment

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/scenarios"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Segment
		wantErr bool
	}{
		{in: "0/4", want: Segment{Index: 0, Count: 4}},   // the first of four
		{in: " 3/4 ", want: Segment{Index: 3, Count: 4}}, // spaces are trimmed
		{in: "0/1", want: Segment{Index: 0, Count: 1}},   // one segment is the whole run
		{in: "4/4", wantErr: true},                       // K is 0-based
		{in: "-1/4", wantErr: true},                      // negative K
		{in: "1/0", wantErr: true},                       // no segments
		{in: "1:2/4", wantErr: true},                     // k6's range syntax is not ours
		{in: "2", wantErr: true},                         // no N
		{in: "a/b", wantErr: true},                       // not numbers
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.wantErr {
			assert.ErrorIs(t, err, ErrSyntax, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestFromEnv(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	seg, ok, err := FromEnv(env(map[string]string{EnvIndex: "2", EnvCount: "5"}))
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, Segment{Index: 2, Count: 5, Role: RoleAll}, seg)

	_, ok, err = FromEnv(env(map[string]string{EnvIndex: "2"}))
	require.NoError(t, err, "a pod of another Job: no KINESIM_SEGMENTS")
	assert.False(t, ok)

	_, _, err = FromEnv(env(map[string]string{EnvCount: "5"}))
	assert.ErrorContains(t, err, EnvIndex)

	_, _, err = FromEnv(env(map[string]string{EnvIndex: "5", EnvCount: "5"}))
	assert.ErrorIs(t, err, ErrSyntax)

	seg, _, err = FromEnv(env(map[string]string{EnvIndex: "0", EnvCount: "1", EnvRole: "consumers"}))
	require.NoError(t, err)
	assert.False(t, seg.Produces())
	assert.True(t, seg.Split(), "a consumer-only segment is part of a split run")
}

// TestSegmentsPartitionArrivals: every arrival belongs to exactly one
// segment, and ArrivalsOf counts each segment's share exactly.
func TestSegmentsPartitionArrivals(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 7} {
		for _, total := range []int64{0, 1, 5, 100, 101} {
			owners := make([]int, total+1)
			for k := range n {
				seg := Segment{Index: k, Count: n}
				var mine int64
				for id := int64(1); id <= total; id++ {
					if seg.OwnsArrival(uint64(id)) {
						owners[id]++
						mine++
					}
				}
				assert.Equal(t, mine, seg.ArrivalsOf(total), "segment %d/%d of %d arrivals", k, n, total)
			}
			for id := int64(1); id <= total; id++ {
				assert.Equal(t, 1, owners[id], "arrival %d with %d segments", id, n)
			}
		}
	}
	assert.True(t, Whole.OwnsArrival(1) && Whole.OwnsArrival(99))
	assert.False(t, Segment{Count: 1, Role: RoleConsumers}.OwnsArrival(1))
}

func TestSegmentsPartitionShards(t *testing.T) {
	shards := []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003", "shardId-000000000004", "shardId-000000000005"}
	readers := map[string]int{}
	for k := range 4 {
		for _, id := range shards {
			if (Segment{Index: k, Count: 4}).OwnsShard(id) {
				readers[id]++
			}
		}
	}
	for _, id := range shards {
		assert.Equal(t, 1, readers[id], "%s has one reader", id)
		assert.True(t, Whole.OwnsShard(id))
		assert.False(t, Segment{Index: 0, Count: 1, Role: RoleProducers}.OwnsShard(id), "a producer-only segment reads nothing")
	}
}

func TestChaosIsSplit(t *testing.T) {
	faults := []scenarios.Fault{
		{ProducerTimeout: &scenarios.TimeoutFault{Count: 10, AckLost: true}},
		{InjectError: &scenarios.ErrorFault{Kind: scenarios.ErrorThrottle, Count: 2}},
		{DuplicateSend: &scenarios.ShareFault{Probability: 0.1}},
		{SplitShard: scenarios.ShardHottest},
		{ConsumerFault: scenarios.ConsumerCrash},
	}
	var timeouts, throttles int
	for k := range 4 {
		got := Segment{Index: k, Count: 4}.Chaos(faults)
		var kinds []string
		for _, f := range got {
			kinds = append(kinds, f.Kind())
			switch {
			case f.ProducerTimeout != nil:
				timeouts += f.ProducerTimeout.Count
				assert.True(t, f.ProducerTimeout.AckLost)
			case f.InjectError != nil:
				throttles += f.InjectError.Count
			}
		}
		assert.Contains(t, kinds, scenarios.FaultDuplicateSend, "a probability applies everywhere")
		assert.Contains(t, kinds, scenarios.FaultConsumer, "a consumer crash applies everywhere")
		assert.Equal(t, k == 0, slices.Contains(kinds, scenarios.FaultSplitShard), "segment %d: a reshard runs in segment 0 only", k)
		assert.Equal(t, k < 2, slices.Contains(kinds, scenarios.FaultInjectError), "segment %d: a count of 2 goes to two segments", k)
	}
	assert.Equal(t, 10, timeouts, "the counts add up")
	assert.Equal(t, 2, throttles)
	assert.Equal(t, 10, faults[0].ProducerTimeout.Count, "the scenario's faults are not changed")
	consumerOnly := Segment{Index: 0, Count: 1, Role: RoleConsumers}.Chaos(faults)
	require.Len(t, consumerOnly, 1)
	assert.Equal(t, scenarios.FaultConsumer, consumerOnly[0].Kind())
}
