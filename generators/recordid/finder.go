package recordid

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Finder finds the ids of kinesim's records in records another program
// wrote: an application that read kinesim's records and carried their ids
// over into its own output. It looks in one place, set by NewFinder: a JSON
// field path, a regular expression for text records, or a JSON field path
// to a list of ids (an application that aggregates many inputs into one
// output). A Finder is immutable and safe for concurrent use.
type Finder struct {
	path  []string       // field or list path
	list  bool           // the path holds an array of ids
	regex *regexp.Regexp // text records
}

// ErrNoFinder is NewFinder's error when not exactly one place is given.
var ErrNoFinder = errors.New("set exactly one of a field path, a regular expression or a list path")

// NewFinder returns a Finder for exactly one of: field, a JSON field path
// (names joined by dots) whose value is the id; regex, whose first
// capturing group (or whole match, without a group) is the id; list, a
// JSON field path whose value is an array of ids.
func NewFinder(field, regex, list string) (*Finder, error) {
	set := 0
	for _, s := range []string{field, regex, list} {
		if s != "" {
			set++
		}
	}
	if set != 1 {
		return nil, ErrNoFinder
	}
	switch {
	case regex != "":
		re, err := regexp.Compile(regex)
		if err != nil {
			return nil, fmt.Errorf("regex %q: %w", regex, err)
		}
		if re.NumSubexp() > 1 {
			return nil, fmt.Errorf("regex %q: %d capturing groups; use one, around the id", regex, re.NumSubexp())
		}
		return &Finder{regex: re}, nil
	case field != "":
		return &Finder{path: strings.Split(field, ".")}, nil
	default:
		return &Finder{path: strings.Split(list, "."), list: true}, nil
	}
}

// Find appends the ids data carries to dst; none when data has no id where
// the Finder looks (not JSON, no such field, not a string).
func (f *Finder) Find(dst []string, data []byte) []string {
	if f.regex != nil {
		m := f.regex.FindSubmatch(data)
		switch {
		case m == nil:
			return dst
		case len(m) > 1:
			return append(dst, string(m[1]))
		default:
			return append(dst, string(m[0]))
		}
	}
	raw, ok := lookup(data, f.path)
	if !ok {
		return dst
	}
	if !f.list {
		if id, ok := jsonString(raw); ok && id != "" {
			dst = append(dst, id)
		}
		return dst
	}
	var ids []string
	if json.Unmarshal(raw, &ids) != nil {
		return dst
	}
	for _, id := range ids {
		if id != "" {
			dst = append(dst, id)
		}
	}
	return dst
}

// lookup returns the raw JSON value at path in the object data. It scans
// the bytes, skipping the values it does not descend into, rather than
// decoding them: an output stream is read at the application's full rate.
// Malformed JSON finds nothing (or, past the value found, is not looked at).
func lookup(data []byte, path []string) ([]byte, bool) {
	v := skipSpace(data)
	for _, name := range path {
		if len(v) == 0 || v[0] != '{' {
			return nil, false
		}
		found := false
		rest := skipSpace(v[1:])
		for len(rest) > 0 && rest[0] != '}' {
			keyEnd := skipValue(rest)
			if keyEnd <= 0 || rest[0] != '"' {
				return nil, false
			}
			key := rest[:keyEnd]
			rest = skipSpace(rest[keyEnd:])
			if len(rest) == 0 || rest[0] != ':' {
				return nil, false
			}
			rest = skipSpace(rest[1:])
			end := skipValue(rest)
			if end <= 0 {
				return nil, false
			}
			if k, ok := jsonString(key); ok && k == name {
				v, found = rest[:end], true
				break
			}
			rest = skipSpace(rest[end:])
			if len(rest) > 0 && rest[0] == ',' {
				rest = skipSpace(rest[1:])
			}
		}
		if !found {
			return nil, false
		}
	}
	return v, true
}

// jsonString decodes the JSON string raw (with its quotes).
func jsonString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	if !bytes.ContainsRune(inner, '\\') {
		return string(inner), true
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err == nil
}

// skipValue returns the length of the JSON value b starts with, 0 when it
// does not start with a well-formed one.
func skipValue(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	switch b[0] {
	case '"':
		for i := 1; i < len(b); i++ {
			switch b[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return 0
	case '{', '[':
		depth := 0
		for i := 0; i < len(b); i++ {
			switch b[i] {
			case '"':
				n := skipValue(b[i:])
				if n == 0 {
					return 0
				}
				i += n - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return 0
	}
	// A number, true, false or null: up to the next delimiter.
	i := 0
	for i < len(b) && !bytes.ContainsRune([]byte(",}] \t\r\n"), rune(b[i])) {
		i++
	}
	return i
}

func skipSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	return b
}
