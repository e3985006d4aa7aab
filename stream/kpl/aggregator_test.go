package kpl

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAggregatorGolden pins the encoding byte for byte to what awslabs'
// aws-kinesis-agg 4.2.8 writes for the same user records (captured with
// testdata/aggregate.js; TestInteropNode checks it live).
func TestAggregatorGolden(t *testing.T) {
	a, err := NewAggregator()
	require.NoError(t, err)
	got := aggregateAll(t, a, []UserRecord{
		{PartitionKey: "a", Data: []byte("hi")},
		{PartitionKey: "b", ExplicitHashKey: "123", Data: []byte("yo")},
	})
	require.Len(t, got, 1)
	want := "84mawgoBYQoBYhIDMTIzGgYIABoCaGkaCAgBEAAaAnlvnUHZYqjwtXdAq2Lnhco7Cw=="
	assert.Equal(t, want, base64.StdEncoding.EncodeToString(got[0].Data))
	assert.Equal(t, AggregatePartitionKey, got[0].PartitionKey)
	assert.Equal(t, partitionHashKey("a").String(), got[0].ExplicitHashKey, "the first user record's hash key places the aggregate")
}

func TestAggregatorPacks(t *testing.T) {
	big := strings.Repeat("x", 1000)
	tests := []struct {
		name       string
		opts       []AggregatorOption
		records    []UserRecord
		wantCounts []int // user records per Kinesis record, in order
	}{
		{
			// three fit one aggregate under the default limits
			name:       "defaults",
			records:    []UserRecord{{PartitionKey: "k", Data: []byte("1")}, {PartitionKey: "k", Data: []byte("2")}, {PartitionKey: "j", Data: []byte("3")}},
			wantCounts: []int{3},
		},
		{
			// the record limit closes each aggregate when full, and the lone rest goes plain
			name:       "max records",
			opts:       []AggregatorOption{WithMaxRecords(3)},
			records:    repeatRecords(7, "k", "d"),
			wantCounts: []int{3, 3, 1},
		},
		{
			// max records 1 turns aggregation off
			name:       "max records one",
			opts:       []AggregatorOption{WithMaxRecords(1)},
			records:    repeatRecords(3, "k", "d"),
			wantCounts: []int{1, 1, 1},
		},
		{
			// 1,000-byte payloads under a 2,500-byte cap: two per aggregate
			name:       "max bytes",
			opts:       []AggregatorOption{WithMaxBytes(2500)},
			records:    repeatRecords(5, "k", big),
			wantCounts: []int{2, 2, 1},
		},
		{
			// a record too large to share an aggregate flushes the open one and goes plain, in order
			name:       "oversized record goes alone",
			opts:       []AggregatorOption{WithMaxBytes(500)},
			records:    []UserRecord{{PartitionKey: "k", Data: []byte("a")}, {PartitionKey: "k", Data: []byte("b")}, {PartitionKey: "k", Data: []byte(big)}, {PartitionKey: "k", Data: []byte("c")}},
			wantCounts: []int{2, 1, 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := NewAggregator(tt.opts...)
			require.NoError(t, err)
			aggs := aggregateAll(t, a, tt.records)
			var counts []int
			var back []UserRecord
			for _, ag := range aggs {
				counts = append(counts, len(ag.UserRecords))
				urs, out := Deaggregate(nil, ag.Record, AllHashKeys)
				require.NoError(t, out.Corrupt)
				assert.Equal(t, len(ag.UserRecords) > 1, out.Aggregated, "aggregated only when it holds more than one")
				assert.Equal(t, ag.UserRecords, urs, "Deaggregate gives what the Aggregator says it packed")
				back = append(back, urs...)
			}
			assert.Equal(t, tt.wantCounts, counts)
			assert.Equal(t, keys(tt.records), keys(back), "every user record, in order")
			assert.Zero(t, a.Len(), "flushed")
		})
	}
}

func repeatRecords(n int, pk, data string) []UserRecord {
	urs := make([]UserRecord, n)
	for i := range urs {
		urs[i] = UserRecord{PartitionKey: pk, Data: []byte(data)}
	}
	return urs
}

// TestAggregatorSizeIsExact checks the incremental size against the bytes
// Flush writes, at random flush points, and that no aggregate is over the cap.
func TestAggregatorSizeIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, maxBytes := range []int{64, 300, 5000, DefaultMaxBytes} {
		a, err := NewAggregator(WithMaxBytes(maxBytes))
		require.NoError(t, err)
		var out []Aggregate
		for i, ur := range randomUserRecords(rng, 3000, 400) {
			if rng.IntN(20) == 0 {
				size, n := a.Size(), a.Len()
				flushed := a.Flush(nil)
				if n > 0 {
					require.Len(t, flushed, 1)
					require.Equal(t, size, len(flushed[0].Data), "Size before Flush, record %d", i)
				}
			}
			out, err = a.Add(out[:0], ur)
			require.NoError(t, err)
			for _, ag := range out {
				if len(ag.UserRecords) > 1 {
					require.LessOrEqual(t, len(ag.Data), maxBytes, "aggregate over the cap")
				}
			}
		}
	}
}

// TestAggregateLandsOnFirstRecordsShard: the aggregate's explicit hash key is
// its first user record's hash key, so it goes where KPL predicted.
func TestAggregateLandsOnFirstRecordsShard(t *testing.T) {
	for _, first := range []UserRecord{
		{PartitionKey: "bike-17", Data: []byte("x")},
		{PartitionKey: "bike-17", ExplicitHashKey: "340282366920938463463374607431768211455", Data: []byte("x")},
		{PartitionKey: "bike-17", ExplicitHashKey: "0", Data: []byte("x")},
	} {
		a, err := NewAggregator()
		require.NoError(t, err)
		aggs := aggregateAll(t, a, []UserRecord{first, {PartitionKey: "other", Data: []byte("y")}})
		require.Len(t, aggs, 1)
		want := effectiveHashKey(first)
		assert.Equal(t, want.String(), aggs[0].ExplicitHashKey)
		assert.Equal(t, "a", aggs[0].PartitionKey)
	}
}

func TestAggregatorRefusesInvalidUserRecords(t *testing.T) {
	tests := []struct {
		name string
		ur   UserRecord
	}{
		{"empty partition key", UserRecord{Data: []byte("x")}},
		{"partition key of 257 characters", UserRecord{PartitionKey: strings.Repeat("é", 257)}},
		{"explicit hash key not a number", UserRecord{PartitionKey: "k", ExplicitHashKey: "12a"}},
		{"explicit hash key negative", UserRecord{PartitionKey: "k", ExplicitHashKey: "-1"}},
		{"explicit hash key with a sign", UserRecord{PartitionKey: "k", ExplicitHashKey: "+1"}},
		{"explicit hash key leading zero", UserRecord{PartitionKey: "k", ExplicitHashKey: "007"}},
		{"explicit hash key 2^128", UserRecord{PartitionKey: "k", ExplicitHashKey: "340282366920938463463374607431768211456"}},
		{"data and key over 1 MiB", UserRecord{PartitionKey: "k", Data: make([]byte, DefaultRecordLimit)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := NewAggregator()
			require.NoError(t, err)
			_, err = a.Add(nil, UserRecord{PartitionKey: "ok", Data: []byte("kept")})
			require.NoError(t, err)
			out, err := a.Add(nil, tt.ur)
			assert.ErrorIs(t, err, ErrInvalidUserRecord)
			assert.Empty(t, out)
			assert.Equal(t, 1, a.Len(), "the open aggregate is untouched")
		})
	}
	// The largest legal record goes out plain.
	a, err := NewAggregator()
	require.NoError(t, err)
	out, err := a.Add(nil, UserRecord{PartitionKey: "k", Data: make([]byte, DefaultRecordLimit-1)})
	require.NoError(t, err)
	require.Len(t, out, 1)
	assert.False(t, out[0].UserRecords[0].Aggregated)
}

func TestNewAggregatorRejectsBadLimits(t *testing.T) {
	for name, opts := range map[string][]AggregatorOption{
		"max bytes too small":              {WithMaxBytes(Overhead)},
		"max bytes leave no partition key": {WithMaxBytes(DefaultRecordLimit)},
		"max bytes over a raised limit":    {WithRecordLimit(2 << 20), WithMaxBytes(2<<20 + 1)},
		"max records zero":                 {WithMaxRecords(0)},
		"record limit zero":                {WithRecordLimit(0)},
	} {
		_, err := NewAggregator(opts...)
		assert.Error(t, err, name)
	}
	_, err := NewAggregator(WithRecordLimit(10<<20), WithMaxBytes(10<<20-1))
	assert.NoError(t, err, "a stream raised to 10 MiB takes aggregates up to its limit")
}
