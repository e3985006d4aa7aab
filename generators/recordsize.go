package generators

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/kinesim/kinesim/scenarios"
)

// RecordSizeOption is the option every kind takes to control record sizes,
// so capacity tests can hit byte limits on purpose. Its value is a size
// (fixed) or a mapping with one distribution:
//
//	record_size: 4KiB
//	record_size: {fixed: 4KiB}
//	record_size: {uniform: {min: 512, max: 8KiB}}
//	record_size: {normal: {mean: 2KiB, stddev: 512}}
//	record_size: {lognormal: {median: 1KiB, sigma: 0.8}}
//
// Each record's target is drawn from the distribution (rounded, at least 1
// byte, at most MaxRecordSize). A shorter record is padded to the target
// exactly; a longer one is trimmed as far as its grammar allows:
//
//   - JSON records get a last field "kinesim_pad":"…" (pseudo-random
//     letters and digits, so compression does not undo it), or a few spaces
//     before the closing brace when the gap is too small for the field. To
//     trim, whole trailing fields are dropped (never the leading
//     kinesim_id and kinesim_sent_us), then the record is padded back up to
//     the target. Records stay valid JSON.
//   - Log lines grow or shrink in their free text (the message, or the
//     request URL's query for Apache lines); the other fields and the
//     metadata stay as they are.
//
// A record never shrinks below its metadata and fixed fields, so a target
// smaller than that yields the smallest record the kind can make.
const RecordSizeOption = scenarios.RecordSizeOption

// MaxRecordSize bounds every drawn record size: the largest record Kinesis
// accepts (10 MiB).
const MaxRecordSize = 10 << 20

const recordSizeForms = `a size such as 512 or "4KiB", or one of {fixed: SIZE}, {uniform: {min: SIZE, max: SIZE}}, {normal: {mean: SIZE, stddev: SIZE}}, {lognormal: {median: SIZE, sigma: NUMBER}}`

var recordSizeSpec = OptionSpec{Name: RecordSizeOption, Type: OptionSize, Doc: "target record size or size distribution (pads or trims records)"}

// sizeDist is a record size distribution; a and b are its two parameters.
type sizeDist struct {
	shape string // fixed, uniform, normal, lognormal
	a, b  float64
}

func (d sizeDist) draw(r *rand.Rand) int {
	var v float64
	switch d.shape {
	case "fixed":
		v = d.a
	case "uniform":
		v = d.a + r.Float64()*(d.b-d.a)
	case "normal":
		v = d.a + d.b*r.NormFloat64()
	case "lognormal":
		v = d.a * math.Exp(d.b*r.NormFloat64())
	}
	return int(min(max(math.Round(v), 1), MaxRecordSize))
}

// parseSizeDist reads a record_size value as YAML, JSON or a command line
// gives it.
func parseSizeDist(v any) (sizeDist, error) {
	m, ok := asMap(v)
	if !ok {
		size, err := parseSize(v)
		return sizeDist{shape: "fixed", a: size}, err
	}
	if len(m) != 1 {
		return sizeDist{}, errors.New("want exactly one of fixed, uniform, normal, lognormal; got " + mapKeys(m))
	}
	for shape, params := range m {
		if shape == "fixed" {
			size, err := parseSize(params)
			return sizeDist{shape: shape, a: size}, err
		}
		names, ok := map[string][2]string{
			"uniform":   {"min", "max"},
			"normal":    {"mean", "stddev"},
			"lognormal": {"median", "sigma"},
		}[shape]
		if !ok {
			return sizeDist{}, fmt.Errorf("%q is not a size distribution; want %s", shape, recordSizeForms)
		}
		p, ok := asMap(params)
		if !ok || len(p) != 2 || p[names[0]] == nil || p[names[1]] == nil {
			return sizeDist{}, fmt.Errorf("want {%s: {%s: …, %s: …}}", shape, names[0], names[1])
		}
		a, err := parseSize(p[names[0]])
		if err != nil {
			return sizeDist{}, fmt.Errorf("%s.%s: %w", shape, names[0], err)
		}
		var b float64
		if shape == "lognormal" {
			b, ok = toFloat(p[names[1]])
			if !ok || !(b >= 0) || math.IsInf(b, 0) {
				return sizeDist{}, fmt.Errorf("lognormal.sigma: want a number ≥ 0, got %s", describeValue(p[names[1]]))
			}
		} else if b, err = parseSize(p[names[1]]); err != nil {
			return sizeDist{}, fmt.Errorf("%s.%s: %w", shape, names[1], err)
		}
		if shape == "uniform" && b < a {
			return sizeDist{}, fmt.Errorf("uniform: max %v is below min %v", b, a)
		}
		return sizeDist{shape: shape, a: a, b: b}, nil
	}
	panic("unreachable")
}

// parseSize reads a byte count: a number or a string such as "64KiB".
func parseSize(v any) (float64, error) {
	var size float64
	if s, ok := v.(string); ok {
		b, err := scenarios.ParseByteSize(s)
		if err != nil {
			return 0, err
		}
		size = float64(b)
	} else if f, ok := toFloat(v); ok && f >= 0 && f == math.Trunc(f) {
		size = f
	} else {
		return 0, fmt.Errorf("want a size such as 512 or \"4KiB\", got %s", describeValue(v))
	}
	if size > MaxRecordSize {
		return 0, fmt.Errorf("%s is above the 10MiB record limit", scenarios.FormatSize(size))
	}
	return size, nil
}

func asMap(v any) (map[string]any, bool) {
	switch v := v.(type) {
	case map[string]any:
		return v, true
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, val := range v {
			m[fmt.Sprint(k)] = val
		}
		return m, true
	}
	return nil, false
}

func mapKeys(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return "{" + strings.Join(keys, ", ") + "}"
}

// resizer grows or shrinks the record a generator just appended at
// dst[start:] to target bytes, as far as its grammar allows.
type resizer interface {
	resize(dst []byte, start, target int, pad *padSource) []byte
}

// resizable is implemented by every generator: it says how its records
// grow and shrink.
type resizable interface {
	resizer() resizer
}

// sizedGenerator applies record_size to a generator's records.
type sizedGenerator struct {
	Generator
	dist    sizeDist
	rng     *rand.Rand
	resizer resizer
	pad     padSource
}

func (g *sizedGenerator) Next(dst []byte, m Meta) []byte {
	start := len(dst)
	dst = g.Generator.Next(dst, m)
	return g.resizer.resize(dst, start, g.dist.draw(g.rng), &g.pad)
}

// padSource hands out padding: pseudo-random letters and digits from a
// block made once, starting at a drawn offset per record.
type padSource struct {
	block []byte
	rng   *rand.Rand
}

const padBlockSize = 64 << 10

func newPadSource(seed int64) padSource {
	r := newRand(seed, "pad")
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	block := make([]byte, padBlockSize)
	for i := range block {
		block[i] = alphabet[r.IntN(len(alphabet))]
	}
	return padSource{block: block, rng: r}
}

// appendPad appends n padding bytes.
func (p *padSource) appendPad(dst []byte, n int) []byte {
	dst = append(dst, make([]byte, n)...)
	p.fill(dst[len(dst)-n:])
	return dst
}

// insertPad inserts n padding bytes at dst[at].
func (p *padSource) insertPad(dst []byte, at, n int) []byte {
	dst = append(dst, make([]byte, n)...)
	copy(dst[at+n:], dst[at:len(dst)-n])
	p.fill(dst[at : at+n])
	return dst
}

func (p *padSource) fill(b []byte) {
	off := p.rng.IntN(len(p.block))
	for len(b) > 0 {
		n := copy(b, p.block[off:])
		b = b[n:]
		off = 0
	}
}

// jsonResizer resizes flat or nested JSON objects whose first two fields
// are the record metadata.
type jsonResizer struct{}

const jsonPadField = `,"kinesim_pad":"`

func (jsonResizer) resize(dst []byte, start, target int, pad *padSource) []byte {
	rec := dst[start:]
	if len(rec) > target {
		cut := jsonTrimPoint(rec, target-1)
		dst = append(dst[:start+cut], '}')
	}
	gap := target - (len(dst) - start)
	if gap <= 0 {
		return dst
	}
	dst = dst[:len(dst)-1] // reopen the object
	if gap < len(jsonPadField)+1 {
		for range gap {
			dst = append(dst, ' ')
		}
		return append(dst, '}')
	}
	dst = append(dst, jsonPadField...)
	dst = pad.appendPad(dst, gap-len(jsonPadField)-1)
	return append(dst, '"', '}')
}

// jsonTrimPoint returns the offset of the last top-level comma at or before
// limit, never before the comma that ends the metadata (the second one):
// cutting there and closing the brace leaves valid JSON.
func jsonTrimPoint(rec []byte, limit int) int {
	depth, inString, commas, best := 0, false, 0, -1
	for i := 0; i < len(rec); i++ {
		c := rec[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		case c == ',' && depth == 1:
			commas++
			if commas >= 2 && (i <= limit || best < 0) {
				best = i
			}
			if i > limit && best >= 0 {
				return best
			}
		}
	}
	if best < 0 { // nothing past the metadata: keep all but the brace
		return len(rec) - 1
	}
	return best
}

// textLayout tells a text record's resizer where its free text lies.
// Offsets are from the record's first byte.
type textLayout struct {
	// padAt is where padding goes in, after padPrefix (e.g. " pad=") when
	// the gap leaves room for it.
	padAt     int
	padPrefix string
	// trims are spans of free text that may shrink from their ends, in
	// record order; the later ones shrink first.
	trims  [2]textSpan
	ntrims int
}

type textSpan struct{ from, to int }

// textResizer resizes text records by the layout of the last record.
type textResizer struct {
	layout *textLayout
}

func (s textResizer) resize(dst []byte, start, target int, pad *padSource) []byte {
	l := s.layout
	for i := l.ntrims - 1; i >= 0 && len(dst)-start > target; i-- {
		span := l.trims[i]
		cut := min(len(dst)-start-target, span.to-span.from)
		copy(dst[start+span.to-cut:], dst[start+span.to:])
		dst = dst[:len(dst)-cut]
		if span.to <= l.padAt {
			l.padAt -= cut
		}
	}
	gap := target - (len(dst) - start)
	if gap <= 0 {
		return dst
	}
	at := start + l.padAt
	if gap > len(l.padPrefix) {
		dst = append(dst, make([]byte, len(l.padPrefix))...)
		copy(dst[at+len(l.padPrefix):], dst[at:len(dst)-len(l.padPrefix)])
		copy(dst[at:], l.padPrefix)
		at += len(l.padPrefix)
		gap -= len(l.padPrefix)
	}
	return pad.insertPad(dst, at, gap)
}
