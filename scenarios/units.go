package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ParseDuration reads a duration as written in a scenario: "30s", "2m",
// "1h30m", "50ms" or "0". Negative durations are an error.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration; write a number and a unit, e.g. 30s, 2m, 1h30m, 50ms", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative; a duration must be 0 or more", s)
	}
	return Duration(d), nil
}

// String formats d as ParseDuration reads it, without zero parts: "2m", "1h30m", "50ms".
func (d Duration) String() string {
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// UnmarshalYAML reads "30s", "2m", "1h30m".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	return unmarshalYAMLScalar(n, "a duration such as 30s or 2m", ParseDuration, d)
}

// MarshalYAML writes d as ParseDuration reads it.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalJSON writes d as a string such as "2m".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads what MarshalJSON writes.
func (d *Duration) UnmarshalJSON(b []byte) error {
	return unmarshalJSONString(b, ParseDuration, d)
}

// rateUnits maps the unit after the slash to how a count per that unit
// becomes a count per second: times perSecond, divided by seconds (kept apart
// so that 3/ms and 48000/min convert exactly).
var rateUnits = map[string]struct{ perSecond, seconds float64 }{
	"ms": {1000, 1}, "s": {1, 1}, "sec": {1, 1}, "min": {1, 60}, "h": {1, 3600},
}

// ParseRate reads a rate as written in a scenario: "800/s", "48000/min",
// "3/ms", "10/h" or a bare number (per second). Negative, NaN and infinite
// rates are an error.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	num, unit, hasUnit := strings.Cut(s, "/")
	per := rateUnits["s"]
	if hasUnit {
		var ok bool
		if per, ok = rateUnits[strings.TrimSpace(unit)]; !ok {
			return 0, fmt.Errorf("%q has an unknown unit %q; use /ms, /s, /min or /h, e.g. 800/s", s, unit)
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a rate; write records per unit of time, e.g. 800/s or 48000/min", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, fmt.Errorf("%q is not a rate; a rate must be a finite number, 0 or more", s)
	}
	return Rate(v * per.perSecond / per.seconds), nil
}

// String formats r in the unit that writes it as a whole number when one
// does ("800/s", "1/min", "3/h"), else per second.
func (r Rate) String() string {
	v := float64(r)
	for _, u := range []struct {
		name string
		secs float64
	}{{"s", 1}, {"min", 60}, {"h", 3600}} {
		if n := v * u.secs; n == math.Trunc(n) && !math.IsInf(n, 0) {
			return strconv.FormatFloat(n, 'f', -1, 64) + "/" + u.name
		}
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + "/s"
}

// UnmarshalYAML reads "800/s", "48000/min", "3/ms" or a bare number per second.
func (r *Rate) UnmarshalYAML(n *yaml.Node) error {
	return unmarshalYAMLScalar(n, "a rate such as 800/s", ParseRate, r)
}

// MarshalYAML writes r as ParseRate reads it.
func (r Rate) MarshalYAML() (any, error) { return r.String(), nil }

// MarshalJSON writes r as a string such as "800/s".
func (r Rate) MarshalJSON() ([]byte, error) { return json.Marshal(r.String()) }

// UnmarshalJSON reads what MarshalJSON writes, or a bare number per second.
func (r *Rate) UnmarshalJSON(b []byte) error {
	return unmarshalJSONString(b, ParseRate, r)
}

// Byte size units, decimal (KB = 1000) and binary (KiB = 1024).
const (
	KiB ByteSize = 1 << 10
	MiB ByteSize = 1 << 20
	GiB ByteSize = 1 << 30
)

// byteUnits lists the units String prefers, largest first, binary before decimal.
var byteUnits = []struct {
	name string
	size ByteSize
}{
	{"GiB", GiB}, {"MiB", MiB}, {"KiB", KiB},
	{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3},
	{"B", 1},
}

// ParseByteSize reads a size as written in a scenario: 512, "100B", "64KiB",
// "1MiB", "10MB", "1KB", "1.5MiB" (a whole number of bytes). Negative sizes
// are an error.
func ParseByteSize(s string) (ByteSize, error) {
	s = strings.TrimSpace(s)
	num, size := s, ByteSize(1)
	for _, u := range byteUnits {
		if n, ok := strings.CutSuffix(s, u.name); ok {
			num, size = strings.TrimSpace(n), u.size
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a size; write bytes or a number and a unit, e.g. 512, 64KiB, 1MiB, 10MB", s)
	}
	if v < 0 {
		return 0, fmt.Errorf("%q is negative; a size must be 0 or more", s)
	}
	bytes := v * float64(size)
	if bytes != math.Trunc(bytes) || bytes > math.MaxInt64/2 {
		return 0, fmt.Errorf("%q is not a whole number of bytes", s)
	}
	return ByteSize(bytes), nil
}

// String formats b in the largest unit that writes it as a whole number:
// "1MiB", "64KiB", "10MB", "512B".
func (b ByteSize) String() string {
	for _, u := range byteUnits {
		if b != 0 && b%u.size == 0 {
			return strconv.FormatInt(int64(b/u.size), 10) + u.name
		}
	}
	return strconv.FormatInt(int64(b), 10) + "B"
}

// UnmarshalYAML reads 512, "100B", "64KiB", "1MiB", "10MB".
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	return unmarshalYAMLScalar(n, "a size such as 512, 64KiB or 1MiB", ParseByteSize, b)
}

// MarshalYAML writes b as ParseByteSize reads it.
func (b ByteSize) MarshalYAML() (any, error) { return b.String(), nil }

// MarshalJSON writes b as a string such as "1MiB".
func (b ByteSize) MarshalJSON() ([]byte, error) { return json.Marshal(b.String()) }

// UnmarshalJSON reads what MarshalJSON writes, or a bare number of bytes.
func (b *ByteSize) UnmarshalJSON(data []byte) error {
	return unmarshalJSONString(data, ParseByteSize, b)
}

// unmarshalYAMLScalar reads the scalar n with parse into *dst; want says
// what a value looks like when n is not a scalar.
func unmarshalYAMLScalar[T any](n *yaml.Node, want string, parse func(string) (T, error), dst *T) error {
	if err := expectScalar(n, want); err != nil {
		return err
	}
	v, err := parse(n.Value)
	if err != nil {
		return nodeError(n, err.Error())
	}
	*dst = v
	return nil
}

// unmarshalJSONString reads a JSON string or number with parse into *dst.
func unmarshalJSONString[T any](b []byte, parse func(string) (T, error), dst *T) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n json.Number
		if json.Unmarshal(b, &n) != nil {
			return fmt.Errorf("%s is neither a string nor a number", b)
		}
		s = n.String()
	}
	v, err := parse(s)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// expectScalar reports a node that is not a scalar as a type error.
func expectScalar(n *yaml.Node, want string) error {
	if n.Kind == yaml.ScalarNode {
		return nil
	}
	return nodeError(n, fmt.Sprintf("found a %s; want %s", kindName(n.Kind), want))
}

// kindName names a node kind as a user would.
func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	default:
		return "value"
	}
}
