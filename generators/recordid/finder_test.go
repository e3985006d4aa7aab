package recordid

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFinderFind(t *testing.T) {
	for _, tc := range []struct {
		name               string
		field, regex, list string
		data               string
		want               []string
	}{
		// A top-level field, the enriched record keeping kinesim's own.
		{name: "top-level field", field: "kinesim_id", data: `{"kinesim_id":"bikes-7","x":1}`, want: []string{"bikes-7"}},
		// A nested path: the application wraps the input under "source".
		{name: "nested path", field: "source.id", data: `{"source":{"id":"bikes-8"},"id":"other"}`, want: []string{"bikes-8"}},
		// The path is missing: no id, not an error.
		{name: "missing field", field: "source.id", data: `{"source":{}}`},
		// A number where an id should be is no id.
		{name: "not a string", field: "id", data: `{"id":42}`},
		// Fields before the one looked for hold strings with escapes and
		// braces, arrays and nested objects, which are skipped whole.
		{name: "skips values", field: "source.id", data: `{"a":"x\"}{[","b":[1,{"id":"no"}],"c":{"id":"no"},"d":-1.5e3,"e":null,"source": {"z":true, "id" : "bikes-9"}}`, want: []string{"bikes-9"}},
		// An escaped id is decoded.
		{name: "escaped id", field: "id", data: `{"id":"bikes\u002d5"}`, want: []string{"bikes-5"}},
		// An escaped key matches its decoded name.
		{name: "escaped key", field: "id", data: `{"\u0069d":"bikes-6"}`, want: []string{"bikes-6"}},
		// A path through something that is not an object.
		{name: "path through a string", field: "source.id", data: `{"source":"bikes-1"}`},
		// Truncated JSON finds nothing.
		{name: "truncated", field: "id", data: `{"x":"abc`},
		// Not JSON at all.
		{name: "not JSON", field: "id", data: `id=bikes-1`},
		// A regex with a group takes the group.
		{name: "regex group", regex: `src=([A-Za-z0-9._-]+)`, data: `2026-01-01 src=logs-12 level=info`, want: []string{"logs-12"}},
		// A regex without a group takes the whole match.
		{name: "regex whole", regex: `bikes-[0-9]+`, data: `saw bikes-3 then bikes-4`, want: []string{"bikes-3"}},
		// A regex that does not match.
		{name: "regex no match", regex: `src=(\S+)`, data: `nothing here`},
		// An aggregating application lists its inputs.
		{name: "list", list: "window.inputs", data: `{"window":{"inputs":["bikes-1","bikes-2",""]}}`, want: []string{"bikes-1", "bikes-2"}},
		// A list path holding a string is no list.
		{name: "list not array", list: "inputs", data: `{"inputs":"bikes-1"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := NewFinder(tc.field, tc.regex, tc.list)
			require.NoError(t, err)
			assert.Equal(t, tc.want, f.Find(nil, []byte(tc.data)))
		})
	}
}

func TestNewFinderErrors(t *testing.T) {
	_, err := NewFinder("", "", "")
	assert.ErrorIs(t, err, ErrNoFinder, "nothing set")
	_, err = NewFinder("a", "b", "")
	assert.ErrorIs(t, err, ErrNoFinder, "two set")
	_, err = NewFinder("", "(", "")
	assert.ErrorContains(t, err, "regex")
	_, err = NewFinder("", "(a)(b)", "")
	assert.ErrorContains(t, err, "capturing groups")
}
