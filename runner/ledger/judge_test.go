package ledger

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
)

// segment writes one segment's ledger: its producer acknowledges ids
// 1..acked, and consumer "c" receives the given record ids (in that order),
// restarting before the delivery at index restartBefore (-1: never).
func segment(t *testing.T, producer string, acked int, received []string, restartBefore int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	l, err := Create(path)
	require.NoError(t, err)
	p := l.Producer(producer)
	c := l.Consumer("c")
	for id := 1; id <= acked; id++ {
		p.Acknowledged(uint64(id), fmt.Sprint("k", id), "shardId-000000000000", seq(id), 1)
	}
	gen := 0
	for i, id := range received {
		if i == restartBefore {
			gen = c.Restart(time.Unix(100, 0))
		}
		c.Delivered(Delivery{RecordID: id, Applied: true, Generation: gen})
	}
	require.NoError(t, l.Close())
	return path
}

func TestJudgeFiles(t *testing.T) {
	// Segment A produces a-1..a-4; segment B produces b-1..b-3. Each
	// segment's consumer "c" reads records of both.
	a := segment(t, "a", 4, []string{"a-1", "a-2", "b-1"}, -1)
	b := segment(t, "b", 3, []string{"a-3", "a-4", "b-2", "b-3", "a-4"}, 4)
	tests := []struct {
		name  string
		paths []string
		opts  JudgeOptions
		want  result.ConsumerVerdict
	}{
		// Together nothing is lost: what one segment produced the other consumed.
		{"both segments", []string{a, b}, JudgeOptions{Default: map[string]int64{"lost": 0}},
			result.ConsumerVerdict{Acknowledged: 7, Deliveries: 8, DistinctRecords: 7, DuplicateDeliveries: 1, DuplicateEffects: 1,
				Expect: map[string]int64{"lost": 0}, Passed: true,
				Generations: []result.GenerationVerdict{{Generation: 0, Deliveries: 7},
					{Generation: 1, StartedAt: time.Unix(100, 0).UTC(), Uncheckpointed: 4, Deliveries: 1, Redeliveries: 1}}}},
		// Alone, segment A's consumer has not read a-3, a-4 (read in B), and
		// b-1 is no record of its ledger.
		{"one segment alone", []string{a}, JudgeOptions{Expect: map[string]map[string]int64{"c": {"lost": 0, "unread": 0}}},
			result.ConsumerVerdict{Acknowledged: 4, Deliveries: 3, DistinctRecords: 2, Unread: 2, Unknown: 1,
				Expect: map[string]int64{"lost": 0, "unread": 0}, Failures: []string{"unread 2 > 0"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := JudgeFiles(context.Background(), tt.paths, tt.opts)
			require.NoError(t, err)
			require.Len(t, v.Consumers, 1)
			want := tt.want
			want.Consumer = "c"
			assert.Equal(t, want, v.Consumers[0])
			assert.Equal(t, want.Passed, v.Passed)
		})
	}
}

func TestJudgeFilesRefusesOtherFiles(t *testing.T) {
	good := segment(t, "a", 1, []string{"a-1"}, -1)
	bad := filepath.Join(t.TempDir(), "result.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"schema_version": 1}`), 0o644))
	_, err := JudgeFiles(context.Background(), []string{good, bad}, JudgeOptions{})
	assert.ErrorContains(t, err, bad+" is not a kinesim ledger file")
	_, err = JudgeFiles(context.Background(), nil, JudgeOptions{})
	assert.Error(t, err)
}

func TestJudgeFilesSaysWhenASegmentIsCutShort(t *testing.T) {
	a := segment(t, "a", 4, []string{"a-1", "a-2", "b-1"}, -1)
	b := segment(t, "b", 3, []string{"a-3", "a-4", "b-2", "b-3"}, -1)
	data, err := os.ReadFile(b)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(b, data[:len(data)-3], 0o644))
	v, err := JudgeFiles(context.Background(), []string{a, b}, JudgeOptions{Default: map[string]int64{"lost": 0}})
	require.NoError(t, err)
	assert.Contains(t, v.Incomplete, "the ledger ends at byte", "a killed segment makes the run incomplete")
	assert.Zero(t, v.Consumers[0].Lost, "nothing is judged lost from a cut file")
	assert.True(t, v.Passed)
}
