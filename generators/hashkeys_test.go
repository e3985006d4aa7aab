package generators

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream/hashkey"
)

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
