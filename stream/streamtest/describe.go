package streamtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
)

func (s *suite) describe(t *testing.T, name string) *stream.StreamSummary {
	t.Helper()
	d, ok := s.target.(stream.Describer)
	require.True(t, ok, "the target has Capabilities.Describe but %T does not implement stream.Describer", s.target)
	sum, err := d.DescribeStreamSummary(t.Context(), name)
	require.NoError(t, err, "DescribeStreamSummary(%s)", name)
	return sum
}

func testDescribeStreamSummary(t *testing.T, s *suite) {
	name, _ := s.createStream(t, 3)
	sum := s.describe(t, name)
	assert.Equal(t, name, sum.Name, "Name")
	assert.Equal(t, stream.StatusActive, sum.Status, "a created stream the target serves is ACTIVE")
	assert.Equal(t, stream.ModeProvisioned, sum.Mode, "Mode")
	assert.Equal(t, 3, sum.OpenShardCount, "OpenShardCount")
	assert.Equal(t, stream.DefaultRetention, sum.Retention, "a new stream keeps records 24 hours")
	assert.Zero(t, sum.ConsumerCount, "ConsumerCount of a new stream")

	d := s.target.(stream.Describer)
	_, err := d.DescribeStreamSummary(t.Context(), uniqueStreamName(t))
	assert.ErrorIs(t, err, stream.ErrNotFound, "DescribeStreamSummary of a stream never created")
}

// testUpdatingThenActive polls DescribeStreamSummary while UpdateShardCount
// runs: the stream is UPDATING during the change (the API reference:
// "Kinesis Data Streams returns immediately and sets the status of the
// stream to UPDATING. After the update is complete, Kinesis Data Streams
// sets the status of the stream back to ACTIVE") and ACTIVE with the target
// count of open shards once the call has returned.
func testUpdatingThenActive(t *testing.T, s *suite) {
	name, _ := s.createStream(t, 2)
	r := s.resharder(t)
	done := make(chan error, 1)
	go func() {
		done <- r.UpdateShardCount(t.Context(), &stream.UpdateShardCountInput{StreamName: name, TargetShardCount: 4})
	}()
	var seen []stream.Status // each change of status, in order
	deadline := s.clock.Now().Add(activeTimeout)
	for finished := false; !finished; {
		select {
		case err := <-done:
			require.NoError(t, err, "UpdateShardCount(%s, 4)", name)
			finished = true
		default:
		}
		// Polled after the call returned too: the status once done.
		if status := s.describe(t, name).Status; len(seen) == 0 || seen[len(seen)-1] != status {
			seen = append(seen, status)
		}
		if !finished {
			require.True(t, s.clock.Now().Before(deadline), "UpdateShardCount still running after %v; statuses seen %v", activeTimeout, seen)
			// DescribeStreamSummary allows 20 calls a second per account on AWS.
			s.sleep(t, pollInterval)
		}
	}
	assert.Contains(t, seen, stream.StatusUpdating, "statuses seen while UpdateShardCount ran: %v", seen)
	assert.Equal(t, stream.StatusActive, seen[len(seen)-1], "the status once UpdateShardCount returned; statuses seen %v", seen)
	for _, status := range seen {
		assert.Contains(t, []stream.Status{stream.StatusActive, stream.StatusUpdating}, status, "statuses seen %v", seen)
	}
	sum := s.describe(t, name)
	assert.Equal(t, 4, sum.OpenShardCount, "OpenShardCount after UpdateShardCount to 4")
}
