package ledger

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLostOrUnread: an acknowledged record the consumer never received is
// lost when the consumer read its shard past it (or to the shard's end),
// and only not read yet otherwise.
func TestLostOrUnread(t *testing.T) {
	const a, b = "shardId-000000000000", "shardId-000000000001"
	tests := []struct {
		name     string
		received []int // ids delivered, in order (ids 1..6 on a, 7..10 on b)
		ended    []string
		lost     int64
		unread   int64
	}{
		// Every record read: neither.
		{"all read", []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, nil, 0, 0},
		// 3 was skipped on the way to 4: lost. 5, 6 and b's 9, 10 lie ahead.
		{"a gap and a backlog", []int{1, 2, 4, 7, 8}, nil, 1, 4},
		// b was never read at all: all of it is the backlog.
		{"a shard never read", []int{1, 2, 3, 4, 5, 6}, nil, 0, 4},
		// a was read to its end (a closed parent): 5 and 6 are lost.
		{"a shard read to its end", []int{1, 2, 3, 4, 7, 8, 9, 10}, []string{a}, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			l, err := Create(path)
			require.NoError(t, err)
			p := l.Producer("p")
			c := l.Consumer("c")
			shardOf := func(id int) string {
				if id <= 6 {
					return a
				}
				return b
			}
			for id := 1; id <= 10; id++ {
				p.Acknowledged(uint64(id), fmt.Sprint("k", id), shardOf(id), seq(id), 1)
			}
			t0 := time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC)
			for i, id := range tt.received {
				c.Delivered(Delivery{RecordID: fmt.Sprint("p-", id), ShardID: shardOf(id), SequenceNumber: seq(id),
					PartitionKey: fmt.Sprint("k", id), At: t0.Add(time.Duration(i) * time.Second), Applied: true})
			}
			for _, s := range tt.ended {
				c.ShardEnded(s)
			}
			require.NoError(t, l.Close())
			live := c.Verdict()
			assert.Equal(t, tt.lost, live.Lost, "lost")
			assert.Equal(t, tt.unread, live.Unread, "unread")
			if tt.unread > 0 {
				rate := float64(len(tt.received)) / float64(len(tt.received)-1)
				assert.InDelta(t, rate, live.ReadRatePerS, 1e-9, "deliveries per second between the first and the last")
				assert.InDelta(t, float64(tt.unread)/rate, live.UnreadReadS, 1e-9, "the backlog at that rate")
			}
			loaded, err := Load(path)
			require.NoError(t, err)
			assert.Equal(t, live, loaded.Consumers()[0].Verdict(), "the file judges the same")
		})
	}
}
