package recordid

import (
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
		var id string
		if json.Unmarshal(raw, &id) == nil && id != "" {
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

// lookup returns the raw JSON value at path in the object data.
func lookup(data []byte, path []string) (json.RawMessage, bool) {
	raw := json.RawMessage(data)
	for _, name := range path {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return nil, false
		}
		var ok bool
		if raw, ok = obj[name]; !ok {
			return nil, false
		}
	}
	return raw, true
}
