package consume

import (
	"bytes"
	"strconv"
)

// fieldScanner finds one field's value in JSON records by scanning bytes,
// without decoding: filtering early must cost less than the work it saves.
// It finds the first "field": at any depth (a nested object's field of the
// same name counts, if it comes first), and returns a string's bytes
// between the quotes with escapes left as written, or a number, true,
// false or null as written. Records that are not JSON simply never match.
type fieldScanner struct {
	key []byte // "field"
}

func newFieldScanner(field string) fieldScanner {
	return fieldScanner{key: []byte(strconv.Quote(field))}
}

// value returns the field's raw value and whether the field was found.
func (f fieldScanner) value(data []byte) ([]byte, bool) {
	for from := 0; ; {
		i := bytes.Index(data[from:], f.key)
		if i < 0 {
			return nil, false
		}
		rest := skipSpace(data[from+i+len(f.key):])
		if len(rest) == 0 || rest[0] != ':' {
			// A value equal to the name ("event_type": "event_type"): look further.
			from += i + len(f.key)
			continue
		}
		rest = skipSpace(rest[1:])
		if len(rest) == 0 {
			return nil, false
		}
		if rest[0] == '"' {
			for j := 1; j < len(rest); j++ {
				switch rest[j] {
				case '\\':
					j++
				case '"':
					return rest[1:j], true
				}
			}
			return nil, false
		}
		end := bytes.IndexAny(rest, ",}] \t\r\n")
		if end < 0 {
			end = len(rest)
		}
		return rest[:end], end > 0
	}
}

// equals reports whether the field is present and its value is want.
func (f fieldScanner) equals(data []byte, want string) bool {
	v, ok := f.value(data)
	return ok && string(v) == want
}

// number returns the field's value as a number.
func (f fieldScanner) number(data []byte) (float64, bool) {
	v, ok := f.value(data)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseFloat(string(v), 64)
	return n, err == nil
}

func skipSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	return b
}
