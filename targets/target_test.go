package targets

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/kinesis/kinesistest"
)

// TestOpenWithNetworkFaults: the chaos proxy moves only the
// connections. The cost guard still sees Amazon Kinesis behind it (the
// proxy used to hide it behind a loopback URL), and every call goes through
// the proxy (a down fault on it fails them). (Scenarios with network faults
// must set target.endpoint: validation refuses them without one.)
func TestOpenWithNetworkFaults(t *testing.T) {
	srv := kinesistest.StartKinesalite(t)
	network := "chaos: [{at: 1s, for: 1s, network: {latency: 10ms}}]"
	tests := []struct {
		name     string
		target   string
		guarded  bool   // the cost guard stops it
		endpoint string // what the report names
	}{
		// AWS's own endpoint, unconfirmed: the guard stops it, proxy or not.
		{"aws endpoint", `{kind: kinesis, endpoint: "https://kinesis.us-east-1.amazonaws.com", region: us-east-1, stream: s}`, true, ""},
		// A Kinesis-compatible server is proxied, and named in the report.
		{"loopback endpoint", fmt.Sprintf(`{kind: kinesis, endpoint: %q, region: us-east-1, stream: s}`, srv.Endpoint), false, srv.Endpoint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL_KINESIS", "")
			t.Setenv("AWS_ENDPOINT_URL", "")
			t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "example")
			sc := parseScenario(t, fmt.Sprintf(`
name: proxied
seed: 1
duration: 2s
target: %s
producers: [{name: p, generator: bike, rate: [{constant: 1/s}]}]
%s
`, tt.target, network))
			opened, err := Open(t.Context(), sc, Options{})
			if tt.guarded {
				var guard *CostGuardError
				require.ErrorAs(t, err, &guard)
				assert.Contains(t, guard.Error(), "shard-hours")
				return
			}
			require.NoError(t, err)
			defer opened.Close()
			assert.Contains(t, opened.Endpoint, tt.endpoint)
			assert.Contains(t, opened.Endpoint, "through the chaos proxy at 127.0.0.1:")
			target, proxy := opened.Target, opened.Proxy
			require.NotNil(t, proxy)
			name := fmt.Sprintf("proxied-%d", time.Now().UnixNano())
			require.NoError(t, target.CreateStream(t.Context(), &stream.CreateStreamInput{StreamName: name, ShardCount: 1}))
			down := scenarios.NetworkFault{Down: true}
			require.NoError(t, proxy.Apply("down", down))
			_, err = target.ListShards(t.Context(), name)
			assert.Error(t, err, "with the proxy down the endpoint is out of reach")
			require.NoError(t, proxy.Remove(t.Context(), "down", down))
			_, err = target.ListShards(t.Context(), name)
			assert.NoError(t, err, "and back once it is up")
		})
	}
}

// parseScenario parses a scenario written in the test.
func parseScenario(t *testing.T, src string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse([]byte(src), t.Name()+".yaml", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	return sc
}
