package runner

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

// TestStreamAlreadyThere: a stream already there (as `kinesim emulate
// --stream` makes) is used as it is when it has the scenario's shape, and
// left in place; of another shape, the run stops and says what differs.
func TestStreamAlreadyThere(t *testing.T) {
	tests := []struct {
		name  string
		there stream.CreateStreamInput
		want  string // in the error; "" when the stream is used
	}{
		// 2 open shards, provisioned, as the scenario asks: used.
		{"same shape", stream.CreateStreamInput{ShardCount: 2}, ""},
		// 4 open shards where the scenario asks for 2.
		{"other shard count", stream.CreateStreamInput{ShardCount: 4},
			`already exists with 4 open shards, PROVISIONED, and the scenario asks for 2 open shards, PROVISIONED`},
		// On-demand where the scenario asks for provisioned.
		{"other mode", stream.CreateStreamInput{Mode: stream.ModeOnDemand},
			`already exists with ON_DEMAND, and the scenario asks for 2 open shards, PROVISIONED`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := constantScenario(t, 10, 2, time.Second, "random")
			target := emulated.New()
			there := tt.there
			there.StreamName = sc.Target.Stream
			require.NoError(t, target.CreateStream(t.Context(), &there))

			cleanup, existing, err := createStreams(t.Context(), target, sc, "run-1")
			cleanup()
			if tt.want != "" {
				var shape *ShapeError
				require.ErrorAs(t, err, &shape)
				assert.Contains(t, err.Error(), tt.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{sc.Target.Stream}, existing, "the stream found is named")
			_, err = target.ListShards(t.Context(), sc.Target.Stream)
			assert.NoError(t, err, "the run's cleanup leaves a stream it did not create")
		})
	}
}
