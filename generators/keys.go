package generators

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/kinesim/kinesim/scenarios"
)

// KeyChooser picks the partition key of each record. Call Key right after
// the generator's Next: a field chooser reads the record Next made. Keys
// are precomputed strings, so Key does not allocate.
type KeyChooser interface {
	Key() string
}

// Key set sizes and names.
const (
	// RandomKeys is how many precomputed random keys the random chooser
	// draws from: enough that every hash key range of any real stream is hit evenly.
	RandomKeys = 1 << 16
	// DefaultHotKeys is the number of other keys of a hot-key chooser when
	// HotKey.Keys is 0.
	DefaultHotKeys = 1000
	// HotKeyName is the hot key of a hot-key chooser.
	HotKeyName = "hot"
)

// ErrKeySpec is wrapped by every error NewKeyChooser returns for a bad spec.
var ErrKeySpec = errors.New("bad partition_key")

// NewKeyChooser makes the key chooser a spec asks for, drawing from its own
// seeded sequence. A zero spec takes the generator's first key field. Key
// set forms name their keys "key-0" ... "key-(N-1)"; for Zipf, key-0 is the
// most frequent.
//
// With spec.ExplicitHash set the chooser is a HashKeyer.
func NewKeyChooser(spec scenarios.KeySpec, g Generator, seed int64) (KeyChooser, error) {
	k, err := newKeyChooser(spec, g, seed)
	if err != nil {
		return nil, err
	}
	return withExplicitHash(k, spec.ExplicitHash)
}

func newKeyChooser(spec scenarios.KeySpec, g Generator, seed int64) (KeyChooser, error) {
	forms := 0
	for _, set := range []bool{spec.Field != "", spec.Random, spec.Uniform != nil, spec.Zipf != nil, spec.Hot != nil} {
		if set {
			forms++
		}
	}
	if forms > 1 {
		return nil, fmt.Errorf("generators: %w: set exactly one of field, random, uniform, zipf, hot", ErrKeySpec)
	}
	r := newRand(seed, "keys")
	switch {
	case spec.Random:
		keys := make([]string, RandomKeys)
		for i := range keys {
			keys[i] = fmt.Sprintf("%016x", r.Uint64())
		}
		return &uniformKeys{keys: keys, rng: r}, nil
	case spec.Uniform != nil:
		if spec.Uniform.Keys < 1 {
			return nil, fmt.Errorf("generators: %w: uniform.keys is %d, want at least 1", ErrKeySpec, spec.Uniform.Keys)
		}
		return &uniformKeys{keys: keyNames("key-", spec.Uniform.Keys), rng: r}, nil
	case spec.Zipf != nil:
		z := spec.Zipf
		if z.Keys < 1 || !(z.S > 0) || math.IsInf(z.S, 0) {
			return nil, fmt.Errorf("generators: %w: zipf wants keys ≥ 1 and s > 0, got keys %d, s %v", ErrKeySpec, z.Keys, z.S)
		}
		return &zipfKeys{keys: keyNames("key-", z.Keys), cdf: zipfCDF(z.Keys, z.S), rng: r}, nil
	case spec.Hot != nil:
		h := spec.Hot
		n := h.Keys
		if n == 0 {
			n = DefaultHotKeys
		}
		if !(h.Share > 0 && h.Share <= 1) || n < 1 {
			return nil, fmt.Errorf("generators: %w: hot wants share in (0, 1] and keys ≥ 1, got share %v, keys %d", ErrKeySpec, h.Share, h.Keys)
		}
		return &hotKeys{share: h.Share, hot: HotKeyName, others: keyNames("key-", n), rng: r}, nil
	}
	fields := g.KeyFields()
	name := spec.Field
	if name == "" {
		if len(fields) == 0 {
			return nil, fmt.Errorf("generators: %w: %s has no key fields; use random, uniform, zipf or hot", ErrKeySpec, g.Kind())
		}
		name = fields[0]
	}
	for i, f := range fields {
		if f == name {
			return fieldKey{g: g, index: i}, nil
		}
	}
	return nil, fmt.Errorf("generators: %w: %s has no field %q; allowed: %s", ErrKeySpec, g.Kind(), name, strings.Join(fields, ", "))
}

func keyNames(prefix string, n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = prefix + strconv.Itoa(i)
	}
	return keys
}

type fieldKey struct {
	g     Generator
	index int
}

func (k fieldKey) Key() string { return k.g.KeyField(k.index) }

type uniformKeys struct {
	keys []string
	rng  *rand.Rand
}

func (k *uniformKeys) Key() string { return k.keys[k.rng.IntN(len(k.keys))] }

// zipfKeys draws key i (0-based) with probability proportional to
// 1/(i+1)^s by inverse CDF: a binary search of a cumulative table. Unlike
// math/rand/v2's Zipf it works for any s > 0, including the s ≤ 1 of real
// key popularity.
type zipfKeys struct {
	keys []string
	cdf  []float64
	rng  *rand.Rand
}

func (k *zipfKeys) Key() string {
	return k.keys[searchCDF(k.cdf, k.rng.Float64())]
}

// zipfCDF returns the cumulative Zipf(s) distribution over n ranks.
func zipfCDF(n int, s float64) []float64 {
	cdf := make([]float64, n)
	total := 0.0
	for i := range cdf {
		total += math.Pow(float64(i+1), -s)
		cdf[i] = total
	}
	for i := range cdf {
		cdf[i] /= total
	}
	return cdf
}

// searchCDF returns the first index whose cumulative probability exceeds u.
func searchCDF(cdf []float64, u float64) int {
	i := sort.Search(len(cdf), func(i int) bool { return cdf[i] > u })
	return min(i, len(cdf)-1)
}

type hotKeys struct {
	share  float64
	hot    string
	others []string
	rng    *rand.Rand
}

func (k *hotKeys) Key() string {
	if k.rng.Float64() < k.share {
		return k.hot
	}
	return k.others[k.rng.IntN(len(k.others))]
}
