package emulated_test

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

const testStream = "test-stream"

// newStream returns an emulator holding one provisioned stream named
// testStream with the given shard count.
func newStream(t *testing.T, shards int, opts ...emulated.Option) *emulated.Emulator {
	t.Helper()
	em := emulated.New(opts...)
	require.NoError(t, em.CreateStream(context.Background(), &stream.CreateStreamInput{StreamName: testStream, ShardCount: shards}))
	return em
}

func put(t *testing.T, em *emulated.Emulator, recs ...stream.Record) *stream.PutRecordsOutput {
	t.Helper()
	out, err := em.PutRecords(context.Background(), &stream.PutRecordsInput{StreamName: testStream, Records: recs})
	require.NoError(t, err)
	require.Len(t, out.Records, len(recs))
	return out
}

// records returns n records of size bytes of data with keys prefix-0, prefix-1...
func records(n, size int, prefix string) []stream.Record {
	recs := make([]stream.Record, n)
	for i := range recs {
		recs[i] = stream.Record{PartitionKey: fmt.Sprintf("%s-%d", prefix, i), Data: make([]byte, size)}
	}
	return recs
}

func TestPutRecordsRoutesByMD5(t *testing.T) {
	em := newStream(t, 4)
	tests := []struct {
		key  string
		want string // the shard whose range holds MD5(key), computed with Python's hashlib
	}{
		{"a", "shardId-000000000000"},              // 16955237001963240173058271559858726497
		{"c", "shardId-000000000001"},              // 99079589977253916124855502156832923443
		{"b", "shardId-000000000002"},              // 195289424170611159128911017612795795343
		{"partitionKey-0", "shardId-000000000003"}, // 283893945402358862714065952676399797471
		{"Zürich", "shardId-000000000000"},         // UTF-8 bytes are hashed
	}
	var recs []stream.Record
	for _, tt := range tests {
		recs = append(recs, stream.Record{PartitionKey: tt.key, Data: []byte("x")})
	}
	out := put(t, em, recs...)
	assert.Zero(t, out.FailedRecordCount)
	for i, tt := range tests {
		assert.Equal(t, tt.want, out.Records[i].ShardID, "key %q", tt.key)
	}
}

func TestExplicitHashKeyRouting(t *testing.T) {
	em := newStream(t, 3)
	tests := []struct {
		hashKey string
		want    string
	}{
		{"0", "shardId-000000000000"},                                       // the first key
		{"113427455640312821154458202477256070484", "shardId-000000000000"}, // the first shard's last key
		{"113427455640312821154458202477256070485", "shardId-000000000001"}, // the second shard's first key
		{"226854911280625642308916404954512140970", "shardId-000000000002"}, // the third shard's first key
		{"340282366920938463463374607431768211455", "shardId-000000000002"}, // 2^128-1
	}
	for _, tt := range tests {
		// The partition key "b" alone would go to the second shard; the explicit key wins.
		out := put(t, em, stream.Record{PartitionKey: "b", ExplicitHashKey: tt.hashKey, Data: []byte("x")})
		assert.Equal(t, tt.want, out.Records[0].ShardID, "ExplicitHashKey %s", tt.hashKey)
	}
}

func TestPutRecordsRejectsInvalidRequests(t *testing.T) {
	em := newStream(t, 1, emulated.WithMaxRecordSize(1000))
	one := func(r stream.Record) []stream.Record { return []stream.Record{r} }
	mib := make([]byte, 1<<20)
	tests := []struct {
		name   string
		stream string
		recs   []stream.Record
		opts   []emulated.Option
		want   error
	}{
		{"no records", testStream, nil, nil, stream.ErrInvalidArgument},
		{"501 records", testStream, records(501, 1, "k"), nil, stream.ErrInvalidArgument},
		{"empty partition key", testStream, one(stream.Record{Data: []byte("x")}), nil, stream.ErrInvalidArgument},
		{"257-character partition key", testStream, one(stream.Record{PartitionKey: strings.Repeat("é", 257)}), nil, stream.ErrInvalidArgument},
		{"record over the max record size", testStream, one(stream.Record{PartitionKey: "k", Data: make([]byte, 1000)}), nil, stream.ErrInvalidArgument},
		{"ExplicitHashKey 2^128", testStream, one(stream.Record{PartitionKey: "k", ExplicitHashKey: "340282366920938463463374607431768211456"}), nil, stream.ErrInvalidArgument},
		{"ExplicitHashKey not decimal", testStream, one(stream.Record{PartitionKey: "k", ExplicitHashKey: "0x10"}), nil, stream.ErrInvalidArgument},
		{"unknown stream", "no-such-stream", one(stream.Record{PartitionKey: "k"}), nil, stream.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := em.PutRecords(context.Background(), &stream.PutRecordsInput{StreamName: tt.stream, Records: tt.recs})
			require.ErrorIs(t, err, tt.want)
			var apiErr *stream.APIError
			require.ErrorAs(t, err, &apiErr)
		})
	}

	t.Run("request over 10 MiB", func(t *testing.T) {
		big := newStream(t, 1)
		recs := make([]stream.Record, 11) // 11 records of 1 MiB - 1 byte of data: ~11 MiB
		for i := range recs {
			recs[i] = stream.Record{PartitionKey: "k", Data: mib[:len(mib)-1]}
		}
		_, err := big.PutRecords(context.Background(), &stream.PutRecordsInput{StreamName: testStream, Records: recs})
		require.ErrorIs(t, err, stream.ErrInvalidArgument)
	})

	t.Run("256-character partition key is fine", func(t *testing.T) {
		out := put(t, em, stream.Record{PartitionKey: strings.Repeat("é", 256)})
		assert.Zero(t, out.FailedRecordCount)
	})
}

func TestPutRecordsThrottlesPerRecord(t *testing.T) {
	const throttleMessage = "Rate exceeded for shard shardId-000000000000 in stream test-stream under account 111111111111."
	clk := newFakeClock()

	t.Run("records per second", func(t *testing.T) {
		em := newStream(t, 1, emulated.WithClock(clk))
		put(t, em, records(400, 10, "k")...)
		put(t, em, records(400, 10, "k")...)
		// 800 of the 1,000-record burst are used: 200 more pass, 200 fail.
		out := put(t, em, records(400, 10, "k")...)
		assert.Equal(t, 200, out.FailedRecordCount)
		for i, r := range out.Records {
			if i < 200 {
				assert.False(t, r.Failed(), "record %d: got %+v, want success", i, r)
				assert.NotEmpty(t, r.SequenceNumber)
				continue
			}
			assert.Equal(t, stream.CodeThrottled, r.ErrorCode, "record %d", i)
			assert.Equal(t, throttleMessage, r.ErrorMessage, "record %d", i)
			assert.Empty(t, r.SequenceNumber, "record %d", i)
			assert.Empty(t, r.ShardID, "record %d", i)
		}
		// A tenth of a second refills 100 records.
		clk.Advance(100 * time.Millisecond)
		out = put(t, em, records(150, 10, "k")...)
		assert.Equal(t, 50, out.FailedRecordCount)
	})

	t.Run("bytes per second, smaller records still pass", func(t *testing.T) {
		em := newStream(t, 1, emulated.WithClock(clk))
		recs := records(12, 100<<10, "k") // 100 KiB each: ten fit in 1 MiB
		recs = append(recs, stream.Record{PartitionKey: "small", Data: make([]byte, 1000)})
		out := put(t, em, recs...)
		assert.Equal(t, 2, out.FailedRecordCount)
		assert.True(t, out.Records[10].Failed(), "the 11th 100 KiB record exceeds 1 MiB")
		assert.True(t, out.Records[11].Failed(), "the 12th 100 KiB record exceeds 1 MiB")
		assert.False(t, out.Records[12].Failed(), "a 1 KB record after them fits the remaining bytes")
	})
}

func TestSteadyOverloadThrottlesHalf(t *testing.T) {
	// 2,000 records/s of ~100-byte records for 10 s: 100 records every 50 ms
	// of fake time.
	tests := []struct {
		shards       int
		minThrottled float64
		maxThrottled float64
	}{
		// One shard takes 1,000 records/s plus its one-second burst:
		// 10,950 of 20,000, so about 45% are throttled.
		{shards: 1, minThrottled: 0.40, maxThrottled: 0.50},
		// Four shards take 4,000 records/s: nothing is throttled.
		{shards: 4, minThrottled: 0, maxThrottled: 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d shards", tt.shards), func(t *testing.T) {
			clk := newFakeClock()
			em := newStream(t, tt.shards, emulated.WithClock(clk))
			total, throttled := 0, 0
			for step := range 200 {
				recs := records(100, 90, fmt.Sprintf("step%d", step))
				out := put(t, em, recs...)
				total += len(recs)
				throttled += out.FailedRecordCount
				clk.Advance(50 * time.Millisecond)
			}
			ratio := float64(throttled) / float64(total)
			assert.GreaterOrEqual(t, ratio, tt.minThrottled, "throttled %d of %d", throttled, total)
			assert.LessOrEqual(t, ratio, tt.maxThrottled, "throttled %d of %d", throttled, total)
		})
	}
}

func TestSequenceNumbersIncreasePerShard(t *testing.T) {
	em := newStream(t, 4)
	last := map[string]*big.Int{}
	for batch := range 5 {
		out := put(t, em, records(300, 10, fmt.Sprintf("b%d", batch))...)
		require.Zero(t, out.FailedRecordCount)
		for _, r := range out.Records {
			seq, ok := new(big.Int).SetString(r.SequenceNumber, 10)
			require.True(t, ok, "sequence number %q is not decimal", r.SequenceNumber)
			if prev := last[r.ShardID]; prev != nil {
				assert.Equal(t, 1, seq.Cmp(prev), "%s: %s after %s", r.ShardID, seq, prev)
			}
			last[r.ShardID] = seq
		}
	}
	assert.Len(t, last, 4, "every shard got records")
}

func TestCreateStream(t *testing.T) {
	ctx := context.Background()
	em := emulated.New()
	tests := []struct {
		name string
		in   stream.CreateStreamInput
		want error // nil: created
	}{
		{"provisioned", stream.CreateStreamInput{StreamName: "s1", ShardCount: 2}, nil},
		{"the same name again", stream.CreateStreamInput{StreamName: "s1", ShardCount: 2}, stream.ErrInUse},
		{"on-demand starts with 4 shards", stream.CreateStreamInput{StreamName: "s2", Mode: stream.ModeOnDemand}, nil},
		{"on-demand with a shard count", stream.CreateStreamInput{StreamName: "s3", Mode: stream.ModeOnDemand, ShardCount: 2}, stream.ErrInvalidArgument},
		{"no shards", stream.CreateStreamInput{StreamName: "s4"}, stream.ErrInvalidArgument},
		{"a bad name", stream.CreateStreamInput{StreamName: "a/b", ShardCount: 1}, stream.ErrInvalidArgument},
		{"an unknown mode", stream.CreateStreamInput{StreamName: "s5", ShardCount: 1, Mode: "FAST"}, stream.ErrInvalidArgument},
	}
	for _, tt := range tests {
		err := em.CreateStream(ctx, &tt.in)
		if tt.want != nil {
			assert.ErrorIs(t, err, tt.want, tt.name)
		} else {
			assert.NoError(t, err, tt.name)
		}
	}
	shards, err := em.ListShards(ctx, "s2")
	require.NoError(t, err)
	assert.Len(t, shards, 4)

	require.NoError(t, em.DeleteStream(ctx, "s1"))
	assert.ErrorIs(t, em.DeleteStream(ctx, "s1"), stream.ErrNotFound)
	_, err = em.ListShards(ctx, "s1")
	assert.ErrorIs(t, err, stream.ErrNotFound)
}
