package generators

import (
	"fmt"

	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream/hashkey"
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

// evenHashKeys returns hashkey.EvenSlots(n) in decimal: the middle of n
// equal parts of the key space, one for each of n even shards.
func evenHashKeys(n int) []string {
	keys := make([]string, n)
	for i, k := range hashkey.EvenSlots(n) {
		keys[i] = k.String()
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
