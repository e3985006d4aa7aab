package generators

import (
	"fmt"
	"math/big"

	"github.com/kinesim/kinesim/scenarios"
)

// HashKeyer is a KeyChooser that also sets each record's ExplicitHashKey.
// Call ExplicitHashKey right after Key.
type HashKeyer interface {
	KeyChooser
	ExplicitHashKey() string
}

// explicitHashKeys adds evenly spaced explicit hash keys, taken in turn, to
// another chooser's partition keys.
type explicitHashKeys struct {
	KeyChooser
	slots []string
	next  int
}

// withExplicitHash wraps k when the spec asks for explicit hash keys.
func withExplicitHash(k KeyChooser, spec *scenarios.ExplicitHash) (KeyChooser, error) {
	if spec == nil {
		return k, nil
	}
	if spec.Slots < 1 || spec.Slots > scenarios.MaxExplicitHashSlots {
		return nil, fmt.Errorf("generators: %w: explicit_hash.slots is %d, want 1..%d", ErrKeySpec, spec.Slots, scenarios.MaxExplicitHashSlots)
	}
	return &explicitHashKeys{KeyChooser: k, slots: evenHashKeys(spec.Slots)}, nil
}

// evenHashKeys returns n decimal hash keys at the middle of n equal parts of
// [0, 2^128): slot i is floor(2^128/n)·i + floor(2^128/n)/2.
func evenHashKeys(n int) []string {
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	step := new(big.Int).Div(space, big.NewInt(int64(n)))
	half := new(big.Int).Rsh(step, 1)
	keys := make([]string, n)
	for i := range keys {
		k := new(big.Int).Mul(step, big.NewInt(int64(i)))
		keys[i] = k.Add(k, half).String()
	}
	return keys
}

func (e *explicitHashKeys) ExplicitHashKey() string {
	k := e.slots[e.next]
	e.next++
	if e.next == len(e.slots) {
		e.next = 0
	}
	return k
}
