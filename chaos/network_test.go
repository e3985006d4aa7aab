package chaos_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/chaos"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/kinesis"
	"github.com/kinesim/kinesim/stream/kinesis/kinesistest"
)

// TestProxyFaultsAgainstKinesalite puts the chaos proxy between the
// Kinesis driver and kinesalite and turns each network fault on and off.
// It runs in real time (real sockets), a few hundred milliseconds.
func TestProxyFaultsAgainstKinesalite(t *testing.T) {
	srv := kinesistest.StartKinesalite(t)
	proxy, url, err := chaos.StartEndpointProxy(srv.Endpoint)
	require.NoError(t, err)
	defer proxy.Close()
	tg, err := kinesis.New(t.Context(), kinesis.WithEndpoint(url), kinesis.WithRegion(kinesistest.Region),
		kinesis.WithStaticCredentials(kinesistest.AccessKeyID, kinesistest.SecretAccessKey, kinesistest.SessionToken))
	require.NoError(t, err)
	name := fmt.Sprintf("chaos-proxy-%d", time.Now().UnixNano())
	require.NoError(t, tg.CreateStream(t.Context(), &stream.CreateStreamInput{StreamName: name, ShardCount: 1}))
	put := func() (time.Duration, error) {
		begin := time.Now()
		_, err := tg.PutRecords(t.Context(), &stream.PutRecordsInput{StreamName: name,
			Records: []stream.Record{{PartitionKey: "k", Data: []byte("hello")}}})
		return time.Since(begin), err
	}
	_, err = put()
	require.NoError(t, err, "through the proxy")

	tests := []struct {
		name  string
		fault scenarios.NetworkFault
		check func(t *testing.T, took time.Duration, err error)
	}{
		// Latency delays each answer by at least the latency.
		{"latency", scenarios.NetworkFault{Latency: scenarios.Duration(300 * time.Millisecond)},
			func(t *testing.T, took time.Duration, err error) {
				assert.NoError(t, err)
				assert.GreaterOrEqual(t, took, 300*time.Millisecond)
			}},
		// Reset kills the connection: the call fails.
		{"reset", scenarios.NetworkFault{Reset: true},
			func(t *testing.T, _ time.Duration, err error) { assert.Error(t, err) }},
		// Down refuses connections: the call fails.
		{"down", scenarios.NetworkFault{Down: true},
			func(t *testing.T, _ time.Duration, err error) { assert.Error(t, err) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, proxy.Apply(tt.name, tt.fault))
			took, err := put()
			tt.check(t, took, err)
			require.NoError(t, proxy.Remove(t.Context(), tt.name, tt.fault))
			_, err = put()
			assert.NoError(t, err, "the connection recovers once the fault ends")
		})
	}
}
