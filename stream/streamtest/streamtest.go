// Package streamtest is one conformance suite for stream targets: the
// emulated stream, real Amazon Kinesis and Kinesis-compatible servers all run
// the same tests through Run, so that what kinesim measures on one target
// means the same on another.
//
// Each subtest creates its own uniquely named stream, waits until the target
// serves it, and deletes it when done, so targets may be shared, long-running
// servers. Subtests run one after another (never in parallel), which keeps
// the number of shards a target holds at once small. A subtest that needs a
// behaviour the target lacks skips, naming the missing Capabilities field.
// Run must be called from the test's goroutine, as testing.T requires.
package streamtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/stream"
)

// Capabilities says which optional behaviours a target has. The zero value
// is a target that implements stream.Target and nothing more.
type Capabilities struct {
	// EnforcesLimits: the target throttles writes over a shard's limits
	// (1 MiB/s and 1,000 records/s) per record, with
	// ProvisionedThroughputExceededException. Amazon Kinesis and the emulated
	// stream do; kinesalite and kinesis-mock do not.
	EnforcesLimits bool
	// EnforcesReadLimits: the target throttles GetRecords over a shard's
	// shared read limits (5 calls/s, 2 MiB/s) with
	// ProvisionedThroughputExceededException.
	EnforcesReadLimits bool
	// SplitMergeShards: the target implements stream.Resharder's SplitShard
	// and MergeShards.
	SplitMergeShards bool
	// UpdateShardCount: the target implements stream.Resharder's
	// UpdateShardCount (kinesalite does not).
	UpdateShardCount bool
	// OnDemand: the target creates ON_DEMAND streams.
	OnDemand bool
	// Retention: the target removes records older than the stream's
	// retention period (24 hours by default). Testing it also needs Clock.
	Retention bool
	// EnhancedFanOut: the target implements stream.FanOut: it registers
	// consumers and pushes records to them (SubscribeToShard).
	EnhancedFanOut bool
	// StreamARN: the target reports stream ARNs.
	StreamARN bool
	// Describe: the target implements stream.Describer.
	Describe bool
	// ShowsUpdating: a reshard keeps the stream UPDATING long enough for
	// DescribeStreamSummary, polled every 100 ms on the suite's clock, to
	// see it (AWS takes seconds to minutes; give the emulated stream a
	// reshard delay of a few hundred milliseconds). Testing it also needs
	// Describe and UpdateShardCount.
	ShowsUpdating bool

	// Clock is the clock the target's time follows; the suite waits on it.
	// Nil means the wall clock. A virtual clock whose Sleep moves time on
	// makes waits free, and lets the suite run the tests that wait minutes
	// (iterator expiry, retention).
	Clock clock.Clock
}

// Run runs the conformance suite as subtests of t. newTarget returns the
// target each subtest uses (a fresh one or a shared one); it is called once
// per subtest.
func Run(t *testing.T, newTarget func(t *testing.T) stream.Target, caps Capabilities) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, need := range tc.needs {
				if !need.has(caps) {
					t.Skipf("the target lacks Capabilities.%s", need.name)
				}
			}
			s := &suite{target: newTarget(t), caps: caps, clock: caps.Clock}
			if s.clock == nil {
				s.clock = clock.Real{}
			}
			tc.run(t, s)
		})
	}
}

// capability names one Capabilities field for skips.
type capability struct {
	name string
	has  func(Capabilities) bool
}

var (
	enforcesLimits     = capability{"EnforcesLimits", func(c Capabilities) bool { return c.EnforcesLimits }}
	enforcesReadLimits = capability{"EnforcesReadLimits", func(c Capabilities) bool { return c.EnforcesReadLimits }}
	splitMergeShards   = capability{"SplitMergeShards", func(c Capabilities) bool { return c.SplitMergeShards }}
	updateShardCount   = capability{"UpdateShardCount", func(c Capabilities) bool { return c.UpdateShardCount }}
	retention          = capability{"Retention", func(c Capabilities) bool { return c.Retention }}
	enhancedFanOut     = capability{"EnhancedFanOut", func(c Capabilities) bool { return c.EnhancedFanOut }}
	onDemand           = capability{"OnDemand", func(c Capabilities) bool { return c.OnDemand }}
	describe           = capability{"Describe", func(c Capabilities) bool { return c.Describe }}
	showsUpdating      = capability{"ShowsUpdating", func(c Capabilities) bool { return c.ShowsUpdating }}
	virtualClock       = capability{"Clock (a virtual clock, to wait minutes)", func(c Capabilities) bool { return c.Clock != nil }}
)

type testCase struct {
	name  string
	needs []capability
	run   func(t *testing.T, s *suite)
}

// cases is the suite, in the order Run runs it.
var cases = []testCase{
	{name: "ShardsCoverHashKeySpace", run: testShardsCoverHashKeySpace},
	{name: "PutRecordsResultsInRequestOrder", run: testPutRecordsResultsInRequestOrder},
	{name: "ExplicitHashKeyRouting", run: testExplicitHashKeyRouting},
	{name: "SequenceNumbersIncreasePerShard", run: testSequenceNumbersIncreasePerShard},
	{name: "SequenceNumberForOrdering", run: testSequenceNumberForOrdering},
	{name: "TrimHorizonReadsBackExactly", run: testTrimHorizonReadsBackExactly},
	{name: "GetRecordsLimitPages", run: testGetRecordsLimitPages},
	{name: "SequenceNumberIterators", run: testSequenceNumberIterators},
	{name: "LatestIterator", run: testLatestIterator},
	{name: "UnknownStream", run: testUnknownStream},
	{name: "OversizeBatch", run: testOversizeBatch},
	{name: "WriteThrottling", needs: []capability{enforcesLimits}, run: testWriteThrottling},
	{name: "ReadThrottling", needs: []capability{enforcesReadLimits}, run: testReadThrottling},
	{name: "IteratorExpiry", needs: []capability{virtualClock}, run: testIteratorExpiry},
	{name: "RetentionExpiresRecords", needs: []capability{retention, virtualClock}, run: testRetention},
	{name: "OnDemandStream", needs: []capability{onDemand}, run: testOnDemandStream},
	{name: "EnhancedFanOut", needs: []capability{enhancedFanOut}, run: testEnhancedFanOut},
	{name: "SplitShard", needs: []capability{splitMergeShards}, run: testSplitShard},
	{name: "MergeShards", needs: []capability{splitMergeShards}, run: testMergeShards},
	{name: "UpdateShardCountKeepsPerKeyOrder", needs: []capability{updateShardCount}, run: testUpdateShardCount},
	{name: "DescribeStreamSummary", needs: []capability{describe}, run: testDescribeStreamSummary},
	{name: "UpdateShardCountGoesUpdatingThenActive", needs: []capability{describe, updateShardCount, showsUpdating}, run: testUpdatingThenActive},
}

// suite is what one subtest works with.
type suite struct {
	target stream.Target
	caps   Capabilities
	clock  clock.Clock
}

// Bounds on waiting for a real server, which may take a moment to make a
// stream ACTIVE or to show records just written.
const (
	activeTimeout = 2 * time.Minute
	pollInterval  = 100 * time.Millisecond
	callTimeout   = 30 * time.Second
)

var nameUnsafe = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// uniqueStreamName makes a stream name from the subtest's name and random
// hex, within the API's 128 characters of [a-zA-Z0-9_.-].
func uniqueStreamName(t *testing.T) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	base := t.Name()
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	base = nameUnsafe.ReplaceAllString(base, "-")
	if len(base) > 100 {
		base = base[:100]
	}
	return "kinesim-" + base + "-" + hex.EncodeToString(b[:])
}

// createStream creates a provisioned stream with n shards, waits until
// ListShards answers with all of them, and deletes it when the test ends.
func (s *suite) createStream(t *testing.T, n int) (name string, shards []stream.Shard) {
	t.Helper()
	return s.create(t, stream.CreateStreamInput{ShardCount: n}, n)
}

// create creates the stream in describes (named by the suite), waits until
// ListShards answers with want shards (any number when want is 0), and
// deletes it when the test ends.
func (s *suite) create(t *testing.T, in stream.CreateStreamInput, want int) (name string, shards []stream.Shard) {
	t.Helper()
	in.StreamName = uniqueStreamName(t)
	name = in.StreamName
	ctx := t.Context()
	require.NoError(t, s.target.CreateStream(ctx, &in), "CreateStream(%+v)", in)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		if err := s.target.DeleteStream(ctx, name); err != nil && !errors.Is(err, stream.ErrNotFound) {
			t.Errorf("DeleteStream(%s): %v", name, err)
		}
	})
	deadline := s.clock.Now().Add(activeTimeout)
	for {
		shards, err := s.target.ListShards(ctx, name)
		if err == nil && len(shards) > 0 && (want == 0 || len(shards) == want) {
			return name, shards
		}
		if s.clock.Now().After(deadline) {
			require.FailNow(t, "stream never became usable", "ListShards(%s) after %v: %d shards, error %v; want %d shards",
				name, activeTimeout, len(shards), err, want)
		}
		s.sleep(t, pollInterval)
	}
}

// sleep waits d on the target's clock.
func (s *suite) sleep(t *testing.T, d time.Duration) {
	t.Helper()
	require.NoError(t, s.clock.Sleep(t.Context(), d), "sleeping %v", d)
}
