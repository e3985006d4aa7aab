// Package segment splits one scenario between several processes (the pods
// of a Kubernetes Indexed Job) so that together they make exactly the
// traffic one machine would, and reads the result back together with
// `kinesim merge`.
//
// The split is by arrival, not by rate: every process walks the whole of
// each producer's arrival schedule (the same seed, the same offsets) and
// its generator's records, and sends only the arrivals whose 1-based index
// i satisfies (i-1) mod N == K. The record id is the arrival index, so ids
// are unique across segments and the union of the segments' records is the
// single-machine run's records, payloads included. The price is that each
// segment draws every record's random choices (a few hundred nanoseconds a
// record) while sending 1/N of them; see docs/distributed.md.
//
// Consumers split shards like KCL workers split leases: a segment's
// consumers read the shards whose id hashes (FNV-1a) to its index, so every
// shard has exactly one reader across the segments without a lease table.
//
// A Segment is a value: immutable and safe for concurrent use.
package segment

import (
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"strconv"
	"strings"

	"github.com/kinesim/kinesim/scenarios"
)

// Role says what a segment runs.
type Role string

// Roles: all (producers and consumers, the default), producers only, or
// consumers only. A producer-only and a consumer-only fleet each number
// their segments from 0: the producers split arrivals N ways, the
// consumers split shards M ways.
const (
	RoleAll       Role = "all"
	RoleProducers Role = "producers"
	RoleConsumers Role = "consumers"
)

// Segment is one process's share of a scenario: K of N, from 0. The zero
// value is the whole run on one machine.
type Segment struct {
	// Index is K, from 0 to Count-1.
	Index int
	// Count is N; 0 means no split (one machine).
	Count int
	// Role is what this segment runs; empty means RoleAll.
	Role Role
}

// Whole is the unsplit run.
var Whole = Segment{}

// Environment variables an Indexed Job's pod reads instead of flags.
const (
	// EnvIndex is set by Kubernetes in every pod of an Indexed Job.
	EnvIndex = "JOB_COMPLETION_INDEX"
	// EnvCount is N, set in the Job's pod template by `kinesim k8s`.
	EnvCount = "KINESIM_SEGMENTS"
	// EnvRole is the segment's role, when not all.
	EnvRole = "KINESIM_SEGMENT_ROLE"
)

// ErrSyntax is wrapped by Parse's errors.
var ErrSyntax = errors.New("want K/N with 0 <= K < N, e.g. 0/4")

// Parse reads "K/N" (0-based K).
func Parse(s string) (Segment, error) {
	k, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Segment{}, fmt.Errorf("segment %q: %w", s, ErrSyntax)
	}
	index, err1 := strconv.Atoi(k)
	count, err2 := strconv.Atoi(n)
	if err1 != nil || err2 != nil || count < 1 || index < 0 || index >= count {
		return Segment{}, fmt.Errorf("segment %q: %w", s, ErrSyntax)
	}
	return Segment{Index: index, Count: count}, nil
}

// ParseRole reads a role name; empty is RoleAll.
func ParseRole(s string) (Role, error) {
	switch Role(s) {
	case "", RoleAll:
		return RoleAll, nil
	case RoleProducers, RoleConsumers:
		return Role(s), nil
	}
	return "", fmt.Errorf("segment role %q: use %s, %s or %s", s, RoleAll, RoleProducers, RoleConsumers)
}

// FromEnv reads the segment from JOB_COMPLETION_INDEX and KINESIM_SEGMENTS
// (and KINESIM_SEGMENT_ROLE). ok is false when KINESIM_SEGMENTS is not
// set: a pod of some other Job, or a plain run.
func FromEnv(getenv func(string) string) (seg Segment, ok bool, err error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	count := getenv(EnvCount)
	if count == "" {
		return Segment{}, false, nil
	}
	index := getenv(EnvIndex)
	if index == "" {
		return Segment{}, false, fmt.Errorf("%s=%s is set but %s is not (an Indexed Job sets it; elsewhere use --segment K/N)", EnvCount, count, EnvIndex)
	}
	seg, err = Parse(index + "/" + count)
	if err != nil {
		return Segment{}, false, fmt.Errorf("%s=%s, %s=%s: %w", EnvIndex, index, EnvCount, count, err)
	}
	if seg.Role, err = ParseRole(getenv(EnvRole)); err != nil {
		return Segment{}, false, fmt.Errorf("%s: %w", EnvRole, err)
	}
	return seg, true, nil
}

// Split reports whether the run is split at all.
func (s Segment) Split() bool {
	return s.Count > 1 || s.Count == 1 && s.Role != "" && s.Role != RoleAll
}

// String is "K/N" (with the role when not all), or "whole".
func (s Segment) String() string {
	if s.Count == 0 {
		return "whole"
	}
	out := strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count)
	if s.Role != "" && s.Role != RoleAll {
		out += " " + string(s.Role)
	}
	return out
}

// Produces reports whether the segment runs producers.
func (s Segment) Produces() bool { return s.Role != RoleConsumers }

// Consumes reports whether the segment runs consumers.
func (s Segment) Consumes() bool { return s.Role != RoleProducers }

// count is N, 1 for the whole run.
func (s Segment) count() int { return max(s.Count, 1) }

// OwnsArrival reports whether arrival id (1-based, the record id) is this
// segment's to send.
func (s Segment) OwnsArrival(id uint64) bool {
	return s.Produces() && (id-1)%uint64(s.count()) == uint64(s.Index)
}

// ArrivalsOf is how many of the first total arrivals are this segment's.
func (s Segment) ArrivalsOf(total int64) int64 {
	if !s.Produces() || total <= 0 {
		return 0
	}
	n := int64(s.count())
	return (total + n - 1 - int64(s.Index)) / n
}

// OwnsShard reports whether this segment's consumers read the shard.
func (s Segment) OwnsShard(shardID string) bool {
	if !s.Consumes() {
		return false
	}
	if s.count() == 1 {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(shardID))
	return h.Sum32()%uint32(s.count()) == uint32(s.Index)
}

// CountOf is this segment's share of a fault's count: count split as
// evenly as it goes, the first count mod N segments taking one more.
func (s Segment) CountOf(count int) int {
	n := s.count()
	share := count / n
	if s.Index < count%n {
		share++
	}
	return share
}

// RunsStreamOperations reports whether scheduled stream operations
// (split, merge, UpdateShardCount) run here: in segment 0 of the
// producers only, so each runs once.
func (s Segment) RunsStreamOperations() bool { return s.Index == 0 && s.Produces() }

// CreatesStreams reports whether this segment creates the streams; the
// others wait for them to be ACTIVE.
func (s Segment) CreatesStreams() bool { return s.Index == 0 && s.Produces() }

// Chaos is this segment's share of a chaos timeline: a fault with a count
// keeps its share of the count (CountOf) and is left out where the share
// is 0 (a count of 0 would mean every call); stream operations stay only
// where RunsStreamOperations. Producer faults are left out of a
// consumer-only segment. Faults with a probability, consumer faults and
// network faults apply in every segment they concern: each segment's calls
// are a sample of the run's, and a consumer application's crash takes all
// of its workers down.
func (s Segment) Chaos(faults []scenarios.Fault) []scenarios.Fault {
	if s.count() == 1 && s.Produces() {
		return faults
	}
	var out []scenarios.Fault
	for _, f := range faults {
		kind := f.Kind()
		switch {
		case f.IsStreamOperation() && !s.RunsStreamOperations():
			continue
		case isProducerFault(kind) && !s.Produces():
			continue
		}
		if count := faultCount(&f); count != nil && *count > 0 {
			share := s.CountOf(*count)
			if share == 0 {
				continue
			}
			f = cloneCounted(f)
			*faultCount(&f) = share
		}
		out = append(out, f)
	}
	return out
}

func isProducerFault(kind string) bool {
	switch kind {
	case scenarios.FaultProducerTimeout, scenarios.FaultInjectError, scenarios.FaultDuplicateSend:
		return true
	}
	return false
}

// faultCount points at the fault's count, nil when its kind has none.
func faultCount(f *scenarios.Fault) *int {
	switch {
	case f.ProducerTimeout != nil:
		return &f.ProducerTimeout.Count
	case f.InjectError != nil:
		return &f.InjectError.Count
	case f.Latency != nil:
		return &f.Latency.Count
	case f.DuplicateSend != nil:
		return &f.DuplicateSend.Count
	}
	return nil
}

// cloneCounted copies the fault's counted part, which the scenario shares.
func cloneCounted(f scenarios.Fault) scenarios.Fault {
	switch {
	case f.ProducerTimeout != nil:
		c := *f.ProducerTimeout
		f.ProducerTimeout = &c
	case f.InjectError != nil:
		c := *f.InjectError
		f.InjectError = &c
	case f.Latency != nil:
		c := *f.Latency
		f.Latency = &c
	case f.DuplicateSend != nil:
		c := *f.DuplicateSend
		f.DuplicateSend = &c
	}
	return f
}
