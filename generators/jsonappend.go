package generators

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// This file holds the hand-written JSON appenders every JSON kind uses: no
// reflection, no allocation, strconv.Append* underneath.

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a quoted JSON string, escaping what JSON
// requires (and <, >, & are left alone: records are not HTML).
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c >= utf8.RuneSelf { // invalid UTF-8 byte
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// jsonString returns s quoted for JSON, for fragments built once.
func jsonString(s string) string {
	return string(appendJSONString(nil, s))
}

// appendFixed appends v with exactly decimals digits after the point
// (decimals ≤ 9), rounding half away from zero. It is several times faster
// than strconv.AppendFloat and exact enough for coordinates and measures.
func appendFixed(dst []byte, v float64, decimals int) []byte {
	scale := pow10[decimals]
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	n := uint64(v*float64(scale) + 0.5)
	dst = strconv.AppendUint(dst, n/scale, 10)
	if decimals == 0 {
		return dst
	}
	dst = append(dst, '.')
	frac := n % scale
	for p := scale / 10; p > 0; p /= 10 {
		dst = append(dst, byte('0'+frac/p%10))
	}
	return dst
}

var pow10 = [...]uint64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000}

// clockFormatter appends timestamps in one layout, caching the formatted
// whole second so that records made within one second cost only their
// sub-second digits.
type clockFormatter struct {
	layout string // a time layout to the second; "" is isoSecond
	second int64
	prefix []byte // the layout in UTC for second
}

const isoSecond = "2006-01-02T15:04:05"

// appendSecond appends t, in UTC, to the second.
func (c *clockFormatter) appendSecond(dst []byte, t time.Time) []byte {
	sec := t.Unix()
	if c.prefix == nil || sec != c.second {
		layout := c.layout
		if layout == "" {
			layout = isoSecond
		}
		c.second = sec
		c.prefix = time.Unix(sec, 0).UTC().AppendFormat(c.prefix[:0], layout)
	}
	return append(dst, c.prefix...)
}

// appendISOMillis appends t in UTC as 2006-01-02T15:04:05.000Z.
func (c *clockFormatter) appendISOMillis(dst []byte, t time.Time) []byte {
	dst = appendFraction(c.appendSecond(dst, t), t, 3)
	return append(dst, 'Z')
}

// appendFraction appends a point and the first digits (1..9) of t's
// fraction of a second.
func appendFraction(dst []byte, t time.Time, digits int) []byte {
	dst = append(dst, '.')
	frac := uint64(t.Nanosecond())
	for p := uint64(1e8); digits > 0; p, digits = p/10, digits-1 {
		dst = append(dst, byte('0'+frac/p%10))
	}
	return dst
}

// appendHex appends v as 16 lowercase hex digits.
func appendHex(dst []byte, v uint64) []byte {
	for shift := 60; shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[v>>uint(shift)&0xf])
	}
	return dst
}
