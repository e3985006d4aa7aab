package hashkey

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests check the uint64 arithmetic against math/big, written out
// independently from the formulas the doc comments give.

func bigOf(t *testing.T, decimal string) *big.Int {
	t.Helper()
	v, ok := new(big.Int).SetString(decimal, 10)
	require.True(t, ok, "bad decimal %q", decimal)
	return v
}

func bigKey(k Key) *big.Int {
	v := new(big.Int).SetUint64(k.Hi)
	v.Lsh(v, 64)
	return v.Or(v, new(big.Int).SetUint64(k.Lo))
}

var space = new(big.Int).Lsh(big.NewInt(1), 128)

// bigEvenRanges is kinesalite's CreateStream formula with math/big.
func bigEvenRanges(n int) [][2]string {
	step := new(big.Int).Div(space, big.NewInt(int64(n)))
	var out [][2]string
	for i := range n {
		start := new(big.Int).Mul(step, big.NewInt(int64(i)))
		end := new(big.Int).Sub(new(big.Int).Add(start, step), big.NewInt(1))
		if i == n-1 {
			end.Sub(space, big.NewInt(1))
		}
		out = append(out, [2]string{start.String(), end.String()})
	}
	return out
}

func TestEvenRanges(t *testing.T) {
	tests := []struct {
		n    int
		want [][2]string // nil: computed with math/big from kinesalite's formula
	}{
		// One shard covers the whole space.
		{n: 1, want: [][2]string{{"0", "340282366920938463463374607431768211455"}}},
		// The three-shard split from KINESIS-FACTS.md, as kinesalite and AWS give it.
		{n: 3, want: [][2]string{
			{"0", "113427455640312821154458202477256070484"},
			{"113427455640312821154458202477256070485", "226854911280625642308916404954512140969"},
			{"226854911280625642308916404954512140970", "340282366920938463463374607431768211455"},
		}},
		// A power of two divides 2^128 exactly.
		{n: 4},
		// Odd counts leave a remainder for the last shard.
		{n: 7},
		// Many shards.
		{n: 500},
	}
	for _, tt := range tests {
		got := EvenRanges(tt.n)
		require.Len(t, got, tt.n)
		want := tt.want
		if want == nil {
			want = bigEvenRanges(tt.n)
		}
		for i := range want {
			assert.Equal(t, want[i][0], got[i].Start.String(), "n=%d shard %d start", tt.n, i)
			assert.Equal(t, want[i][1], got[i].End.String(), "n=%d shard %d end", tt.n, i)
		}
	}
}

func TestShardOf(t *testing.T) {
	keys := []Key{{}, Max, {Hi: 1 << 63}, {Lo: 1}}
	for i := range 200 {
		keys = append(keys, FromPartitionKey(fmt.Sprintf("key-%d", i)))
	}
	for _, n := range []int{1, 2, 3, 4, 7, 16, 500, 10_000} {
		ranges := EvenRanges(n)
		// Each range's bounds and the keys next to them.
		probe := append([]Key(nil), keys...)
		for _, r := range ranges {
			probe = append(probe, r.Start, r.End)
			if next, ok := r.End.Next(); ok {
				probe = append(probe, next)
			}
		}
		for _, k := range probe {
			got := ShardOf(k, n)
			require.True(t, got >= 0 && got < n, "ShardOf(%s, %d) = %d, want 0..%d", k, n, got, n-1)
			assert.True(t, ranges[got].Contains(k), "ShardOf(%s, %d) = %d, whose range %s..%s does not hold it",
				k, n, got, ranges[got].Start, ranges[got].End)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"0", true},                    // the smallest key
		{"1", true},                    // one digit
		{"18446744073709551615", true}, // 2^64-1: the low half full
		{"18446744073709551616", true}, // 2^64: carries into the high half
		{"340282366920938463463374607431768211455", true},   // 2^128-1: the largest key
		{"340282366920938463463374607431768211456", false},  // 2^128 overflows
		{"999999999999999999999999999999999999999", false},  // 39 digits, too large
		{"1000000000000000000000000000000000000000", false}, // 40 digits
		{"", false},    // empty
		{"01", false},  // leading zero, outside the API's pattern
		{"-1", false},  // negative
		{"+1", false},  // a sign
		{"12a", false}, // not a digit
		{" 1", false},  // space
	}
	for _, tt := range tests {
		got, ok := Parse(tt.in)
		assert.Equal(t, tt.ok, ok, "Parse(%q) ok", tt.in)
		if tt.ok && ok {
			assert.Equal(t, bigOf(t, tt.in).String(), got.String(), "Parse(%q) round trip", tt.in)
			assert.Equal(t, bigOf(t, tt.in), bigKey(got), "Parse(%q) halves", tt.in)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		k    Key
		want string
	}{
		{Key{}, "0"},                                // zero
		{Key{Lo: 42}, "42"},                         // low half only
		{Key{Hi: 1}, "18446744073709551616"},        // 2^64
		{Key{Hi: 1, Lo: 5}, "18446744073709551621"}, // inner zeros of a 19-digit group are kept
		{Max, "340282366920938463463374607431768211455"},
		{Key{Hi: 1 << 63}, "170141183460469231731687303715884105728"}, // 2^127
		{Key{Hi: 0x21e19e0c9bab2400, Lo: 0}, bigKey(Key{Hi: 0x21e19e0c9bab2400}).String()},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.k.String(), "Key{%#x, %#x}", tt.k.Hi, tt.k.Lo)
	}
}

func TestFromPartitionKey(t *testing.T) {
	tests := []struct {
		key  string
		want string // MD5 as a big-endian integer, computed with Python's hashlib
	}{
		{"a", "16955237001963240173058271559858726497"},               // one ASCII byte
		{"bike-42", "138903756737692508544193426182225081081"},        // a typical key
		{"partitionKey-0", "283893945402358862714065952676399797471"}, // high half above 2^127
		{"Zürich", "21571439941612705407085021742162426705"},          // UTF-8 bytes, not runes
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, FromPartitionKey(tt.key).String(), "MD5(%q)", tt.key)
	}
}

func TestRoute(t *testing.T) {
	tests := []struct {
		name              string
		partition, hashed string
		want              Key
		ok                bool
	}{
		{"partition key only: its MD5", "bike-42", "", FromPartitionKey("bike-42"), true},
		{"an explicit hash key overrides the partition key", "bike-42", "7", Key{Lo: 7}, true},
		{"the largest explicit key", "k", "340282366920938463463374607431768211455", Max, true},
		{"a malformed explicit key is refused, not ignored", "bike-42", "2^127", Key{}, false},
	}
	for _, tt := range tests {
		got, ok := Route(tt.partition, tt.hashed)
		assert.Equal(t, tt.ok, ok, tt.name)
		assert.Equal(t, tt.want, got, tt.name)
	}
}

func TestMid(t *testing.T) {
	tests := []struct {
		name       string
		start, end Key
	}{
		{"the whole space", Key{}, Max},
		{"two keys: the upper one", Key{Lo: 4}, Key{Lo: 5}},
		{"one key", Key{Lo: 9}, Key{Lo: 9}},
		{"across the halves", Key{Lo: ^uint64(0)}, Key{Hi: 2, Lo: 6}},
		{"the top of the space", Key{Hi: ^uint64(0), Lo: 10}, Max},
	}
	for _, tt := range tests {
		// (start + end + 1) / 2, as chaos computed it with math/big.
		want := new(big.Int).Add(bigKey(tt.start), bigKey(tt.end))
		want.Add(want, big.NewInt(1)).Rsh(want, 1)
		got := Range{tt.start, tt.end}.Mid()
		assert.Equal(t, want.String(), got.String(), tt.name)
	}
}

func TestEvenSlots(t *testing.T) {
	tests := []struct {
		name string
		n    int
		want []string
	}{
		// One slot: the middle of the whole space, 2^127.
		{"one slot", 1, []string{"170141183460469231731687303715884105728"}},
		// Three slots: the middle of each of kinesalite's three even shards
		// (the first shard ends at 113427455640312821154458202477256070484).
		{"three slots", 3, []string{
			"56713727820156410577229101238628035242",
			"170141183460469231731687303715884105727",
			"283568639100782052886145506193140176212",
		}},
	}
	for _, tt := range tests {
		var got []string
		for _, k := range EvenSlots(tt.n) {
			got = append(got, k.String())
		}
		assert.Equal(t, tt.want, got, tt.name)
	}
	// Against the formula in math/big, for counts that do and do not divide 2^128.
	for _, n := range []int{2, 5, 64, 1000} {
		step := new(big.Int).Div(space, big.NewInt(int64(n)))
		half := new(big.Int).Rsh(step, 1)
		slots := EvenSlots(n)
		require.Len(t, slots, n)
		for i, k := range slots {
			want := new(big.Int).Mul(step, big.NewInt(int64(i)))
			assert.Equal(t, want.Add(want, half).String(), k.String(), "n=%d slot %d", n, i)
			assert.Equal(t, i, ShardOf(k, n), "n=%d: slot %d lands in shard %d", n, i, i)
		}
	}
}

func TestCompareNextPrev(t *testing.T) {
	a, b := Key{Hi: 1}, Key{Hi: 1, Lo: 1}
	assert.Equal(t, -1, a.Compare(b), "low half decides when the high halves tie")
	assert.Equal(t, 1, Key{Hi: 2}.Compare(b), "high half decides")
	assert.Equal(t, 0, b.Compare(b), "equal")

	next, ok := Key{Lo: ^uint64(0)}.Next()
	assert.True(t, ok)
	assert.Equal(t, Key{Hi: 1}, next, "Next carries into the high half")
	_, ok = Max.Next()
	assert.False(t, ok, "Max has no next key")
	assert.Equal(t, Key{Lo: ^uint64(0)}, Key{Hi: 1}.Prev(), "Prev borrows from the high half")
}

func TestRangeParsePrecedesShare(t *testing.T) {
	r, ok := ParseRange("0", "113427455640312821154458202477256070484")
	require.True(t, ok)
	s, ok := ParseRange("113427455640312821154458202477256070485", "340282366920938463463374607431768211455")
	require.True(t, ok)
	assert.True(t, r.Precedes(s), "adjacent ranges")
	assert.False(t, s.Precedes(r), "the wrong way round")
	assert.False(t, Range{Start: Max, End: Max}.Precedes(Range{}), "nothing follows Max")
	_, ok = ParseRange("0", "-1")
	assert.False(t, ok, "a malformed end")

	assert.Equal(t, 1.0, Range{End: Max}.Share(), "the whole space")
	assert.InDelta(t, 1.0/3, r.Share(), 1e-15, "a third")
	assert.InDelta(t, 0.0, Range{Start: Key{Lo: 3}, End: Key{Lo: 3}}.Share(), 1e-30, "one key")
}

func ExampleEvenRanges() {
	for i, r := range EvenRanges(2) {
		fmt.Printf("shard %d: %s..%s\n", i, r.Start, r.End)
	}
	k := FromPartitionKey("bike-42")
	fmt.Println("bike-42 hashes to", k, "in shard", ShardOf(k, 2))
	// Output:
	// shard 0: 0..170141183460469231731687303715884105727
	// shard 1: 170141183460469231731687303715884105728..340282366920938463463374607431768211455
	// bike-42 hashes to 138903756737692508544193426182225081081 in shard 0
}
