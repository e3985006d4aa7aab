package generators

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream/hashkey"
)

func TestEvenHashKeys(t *testing.T) {
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
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, evenHashKeys(tt.n))
		})
	}
}

func TestExplicitHashKeysTakeTurns(t *testing.T) {
	g, err := New("bike", nil, 1)
	require.NoError(t, err)
	k, err := NewKeyChooser(scenarios.KeySpec{Hot: &scenarios.HotKey{Share: 1}, ExplicitHash: &scenarios.ExplicitHash{Slots: 4}}, g, 1)
	require.NoError(t, err)
	hk, ok := k.(HashKeyer)
	require.True(t, ok, "an explicit_hash spec makes a HashKeyer")
	var seen []string
	for range 8 {
		assert.Equal(t, HotKeyName, hk.Key(), "the partition key is still the hot key")
		h := hk.ExplicitHashKey()
		_, ok := hashkey.Parse(h)
		require.True(t, ok, "hash key %s is a decimal key in [0, 2^128)", h)
		seen = append(seen, h)
	}
	assert.Equal(t, seen[:4], seen[4:], "the four slots are taken in turn")

	_, err = NewKeyChooser(scenarios.KeySpec{Random: true, ExplicitHash: &scenarios.ExplicitHash{}}, g, 1)
	assert.ErrorIs(t, err, ErrKeySpec, "zero slots is refused")
}
