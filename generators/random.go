package generators

import (
	"hash/fnv"
	"math/rand/v2"
	"strings"
)

// newRand returns a PCG-backed generator for one named purpose ("fleet",
// "events", "keys", ...) of a seed, so that each purpose draws its own
// sequence: adding a draw to one never shifts another.
func newRand(seed int64, purpose string) *rand.Rand {
	return rand.New(newPCG(seed, purpose))
}

func newPCG(seed int64, purpose string) *rand.PCG {
	h := fnv.New64a()
	h.Write([]byte(purpose))
	return rand.NewPCG(uint64(seed), h.Sum64())
}

// pick returns one element of choices, uniformly.
func pick[T any](r *rand.Rand, choices []T) T {
	return choices[r.IntN(len(choices))]
}

// weighted draws indexes with fixed relative weights by inverse CDF.
type weighted struct {
	cdf []float64
}

func newWeighted(weights ...float64) weighted {
	cdf := make([]float64, len(weights))
	total := 0.0
	for i, w := range weights {
		total += w
		cdf[i] = total
	}
	for i := range cdf {
		cdf[i] /= total
	}
	return weighted{cdf: cdf}
}

// draw returns an index in [0, len(weights)) with probability weight/total.
func (w weighted) draw(r *rand.Rand) int {
	u := r.Float64()
	for i, c := range w.cdf {
		if u < c {
			return i
		}
	}
	return len(w.cdf) - 1
}

// slug lowercases s and turns every run of other than letters, digits, dots
// and dashes into one dash, for names in URLs, hostnames and stream names.
func slug(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			out = append(out, c+'a'-'A')
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '.':
			out = append(out, c)
		case len(out) > 0 && out[len(out)-1] != '-':
			out = append(out, '-')
		}
	}
	return strings.Trim(string(out), "-.")
}
