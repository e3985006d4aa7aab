package scenarios

import (
	"math"
	"strconv"
)

// RecordSizeOption is the generator option that sets record sizes (see
// package generators, which draws them).
const RecordSizeOption = "record_size"

// Partition key names the key choosers give (package generators).
const (
	randomKeyLength = 16 // 16 hex digits
	defaultHotKeys  = 1000
	hotKeyName      = "hot"
)

// recordSizes checks that a producer's records fit the stream's record
// limit, which counts the partition key as well as the data: the size
// record_size gives (the largest of fixed and uniform sizes, the mean or
// median of the unbounded normal and lognormal ones) plus the longest
// partition key. Forms it does not understand are left to the generators.
func (v *validator) recordSizes(p *Producer, path string, limit ByteSize) {
	raw, ok := p.Options[RecordSizeOption]
	if !ok || limit <= 0 {
		return
	}
	size, what, ok := recordSizeOf(raw)
	if !ok {
		return
	}
	key := p.PartitionKey.longestKey()
	field := path + ".options." + RecordSizeOption
	if size+key <= float64(limit) {
		return
	}
	advice := ""
	if room := float64(limit) - key; room >= 1 {
		advice = "; use at most " + FormatSize(room) + " of data"
	}
	if size+key <= float64(MaxRecordSizeLimit) {
		advice += ", or raise target.max_record_size (Kinesis allows up to " + ByteSize(MaxRecordSizeLimit).String() + ")"
	} else {
		advice += " (Kinesis allows no record over " + ByteSize(MaxRecordSizeLimit).String() + ")"
	}
	v.addf(field, "%s %s plus the longest partition key (%s) is over the stream's %s record limit (target.max_record_size, which counts the key): those records would be dead-lettered%s",
		what, FormatSize(size), FormatSize(key), limit, advice)
}

// recordSizeOf reads record_size's forms: a size, {fixed: SIZE},
// {uniform: {min, max}}, {normal: {mean, stddev}}, {lognormal: {median,
// sigma}}. It returns the size to check and what it is.
func recordSizeOf(raw any) (size float64, what string, ok bool) {
	m, isMap := raw.(map[string]any)
	if !isMap {
		size, ok = sizeValue(raw)
		return size, "record_size", ok
	}
	if len(m) != 1 {
		return 0, "", false
	}
	for shape, params := range m {
		p, _ := params.(map[string]any)
		switch shape {
		case "fixed":
			size, ok = sizeValue(params)
			return size, "record_size", ok
		case "uniform":
			size, ok = sizeValue(p["max"])
			return size, "record_size's uniform max", ok
		case "normal":
			size, ok = sizeValue(p["mean"])
			return size, "record_size's normal mean", ok
		case "lognormal":
			size, ok = sizeValue(p["median"])
			return size, "record_size's lognormal median", ok
		}
	}
	return 0, "", false
}

// sizeValue reads a byte count: a number or a string such as "64KiB".
func sizeValue(v any) (float64, bool) {
	switch v := v.(type) {
	case string:
		b, err := ParseByteSize(v)
		return float64(b), err == nil
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint64:
		return float64(v), true
	case float64:
		return v, !math.IsNaN(v)
	}
	return 0, false
}

// FormatSize writes a byte count as a size ("1MiB", "2GiB", "1000B"), for
// messages.
func FormatSize(n float64) string {
	if n == math.Trunc(n) && math.Abs(n) < 1<<62 {
		return ByteSize(n).String()
	}
	return strconv.FormatFloat(n, 'g', 4, 64) + "B"
}

// longestKey is the length of the longest partition key the spec gives
// (key-0 … key-N-1, "hot", 16 hex digits when random); field keys are
// unknown here and count as 1 byte, the shortest key.
func (k *KeySpec) longestKey() float64 {
	named := func(n int) int { return len("key-") + len(strconv.Itoa(max(n-1, 0))) }
	switch {
	case k.Random:
		return randomKeyLength
	case k.Uniform != nil:
		return float64(named(k.Uniform.Keys))
	case k.Zipf != nil:
		return float64(named(k.Zipf.Keys))
	case k.Hot != nil:
		n := k.Hot.Keys
		if n == 0 {
			n = defaultHotKeys
		}
		return float64(max(named(n), len(hotKeyName)))
	}
	return 1
}
