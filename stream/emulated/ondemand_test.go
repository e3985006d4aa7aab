package emulated_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

// traffic is what drive sent and what was throttled, by shard.
type traffic struct {
	sent, throttled  int
	throttledByShard map[string]int
	acceptedByKey    map[string]int
}

// drive puts a batch every 50 ms of fake time for d: 3,000 records/s of
// ~100-byte records when batch makes 150 records. from is the step to start
// at, so that keys differ between calls.
func drive(t *testing.T, em *emulated.Emulator, clk *fakeClock, d time.Duration, batch func(step int) []stream.Record) traffic {
	t.Helper()
	tr := traffic{throttledByShard: map[string]int{}, acceptedByKey: map[string]int{}}
	for step := range int(d / (50 * time.Millisecond)) {
		recs := batch(step)
		out := put(t, em, recs...)
		tr.sent += len(recs)
		tr.throttled += out.FailedRecordCount
		for i, r := range out.Records {
			if r.Failed() {
				// "Rate exceeded for shard shardId-000000000001 in stream ..."
				tr.throttledByShard[strings.Fields(r.ErrorMessage)[4]]++
			} else {
				tr.acceptedByKey[recs[i].PartitionKey]++
			}
		}
		clk.Advance(50 * time.Millisecond)
	}
	return tr
}

// hotKeyBatch makes 150 records, hotShare of them with the key "hot", the
// rest with keys that differ every time.
func hotKeyBatch(hotShare float64) func(step int) []stream.Record {
	return func(step int) []stream.Record {
		recs := make([]stream.Record, 150)
		hot := int(hotShare * float64(len(recs)))
		for i := range recs {
			key := "hot"
			if i >= hot {
				key = fmt.Sprintf("user-%d-%d", step, i)
			}
			recs[i] = stream.Record{PartitionKey: key, Data: make([]byte, 90)}
		}
		return recs
	}
}

func TestHotKeyThrottlesOnlyItsShard(t *testing.T) {
	tests := []struct {
		name     string
		hotShare float64
	}{
		// 60% of 3,000 records/s on one key: 1,800/s into one shard.
		{"one key carries 60%", 0.6},
		// Uniform keys: 750/s per shard, under the limit.
		{"uniform keys", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			em := newStream(t, 4, emulated.WithClock(clk))
			hotShard := put(t, em, stream.Record{PartitionKey: "hot"}).Records[0].ShardID
			tr := drive(t, em, clk, 20*time.Second, hotKeyBatch(tt.hotShare))
			if tt.hotShare == 0 {
				assert.Zero(t, tr.throttled, "uniform keys throttle nowhere")
				return
			}
			assert.Equal(t, map[string]int{hotShard: tr.throttled}, tr.throttledByShard, "only the hot key's shard throttles")
			// The shard takes 1,000 records/s (plus its one-second burst) of
			// the 2,100/s sent to it: the hot key's 1,800 and a quarter of the
			// other 1,200.
			want := (2100.0*20 - 1000*21) / float64(tr.sent)
			ratio := float64(tr.throttled) / float64(tr.sent)
			assert.InDelta(t, want, ratio, 0.01, "throttled %d of %d", tr.throttled, tr.sent)
		})
	}
}

func openShardCount(t *testing.T, em *emulated.Emulator) int {
	t.Helper()
	shards, err := em.ListShards(context.Background(), testStream)
	require.NoError(t, err)
	n := 0
	for _, sh := range shards {
		if sh.Open() {
			n++
		}
	}
	return n
}

func newOnDemandStream(t *testing.T, clk *fakeClock) *emulated.Emulator {
	t.Helper()
	em := emulated.New(emulated.WithClock(clk), emulated.WithOnDemandSplitDelay(30*time.Second))
	require.NoError(t, em.CreateStream(context.Background(), &stream.CreateStreamInput{StreamName: testStream, Mode: stream.ModeOnDemand}))
	return em
}

func TestOnDemandSplitsBusyShards(t *testing.T) {
	clk := newFakeClock()
	em := newOnDemandStream(t, clk)
	require.Equal(t, 4, openShardCount(t, em), "on-demand starts with 4 shards (4 MiB/s)")

	// 3,000 records/s: 750/s per shard, above half the limit.
	tr := drive(t, em, clk, 29*time.Second, hotKeyBatch(0))
	assert.Equal(t, 4, openShardCount(t, em), "no split before the delay")
	tr2 := drive(t, em, clk, 30*time.Second, hotKeyBatch(0))
	assert.Equal(t, 8, openShardCount(t, em), "each busy shard split once; the children run at 375/s")
	assert.Zero(t, tr.throttled+tr2.throttled)
}

func TestOnDemandCannotFixAHotKey(t *testing.T) {
	clk := newFakeClock()
	em := newOnDemandStream(t, clk)
	drive(t, em, clk, 2*time.Minute, hotKeyBatch(0.6))
	assert.Greater(t, openShardCount(t, em), 4, "the hot shard was split")

	// A minute later the hot key still gets one shard's 1,000 records/s of
	// its 1,800/s.
	tr := drive(t, em, clk, time.Minute, hotKeyBatch(0.6))
	perSecond := float64(tr.acceptedByKey["hot"]) / 60
	assert.InDelta(t, 1000, perSecond, 50, "records/s accepted for the hot key")
	throttledPerSecond := float64(tr.throttled) / 60
	assert.InDelta(t, 800, throttledPerSecond, 80, "records/s throttled, nearly all the hot key's excess: %v", tr.throttledByShard)
}
