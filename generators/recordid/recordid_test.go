package recordid

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParse(t *testing.T) {
	tests := []struct {
		id       string
		producer string
		n        uint64
		ok       bool
	}{
		{"bikes-42", "bikes", 42, true},           // the usual form
		{"my-producer-7", "my-producer", 7, true}, // dashes in the name
		{"bikes-0", "", 0, false},                 // ids start at 1
		{"bikes", "", 0, false},                   // no number
		{"-5", "", 0, false},                      // no name
		{"bikes-x", "", 0, false},                 // not a number
		{"bikes--1", "bikes-", 1, true},           // a name may end in a dash
		{"bikes-+1", "", 0, false},                // a sign is not a number
	}
	for _, tt := range tests {
		producer, n, ok := Parse(tt.id)
		assert.Equal(t, tt.ok, ok, tt.id)
		assert.Equal(t, tt.producer, producer, tt.id)
		assert.Equal(t, tt.n, n, tt.id)
	}
}

func TestSafeName(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"bikes", "bikes"},                     // already safe: unchanged
		{"my.producer_2-b", "my.producer_2-b"}, // every allowed punctuation byte
		{"bike rides", "bike_rides"},           // a space
		{`a"b`, "a_b"},                         // a quote would break the JSON form
		{"Zürich", "Z__rich"},                  // each byte of a two-byte letter
		{"", ""},                               // empty
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, SafeName(tt.name), "SafeName(%q)", tt.name)
	}
}

func TestFormatParseRoundTrip(t *testing.T) {
	for _, producer := range []string{"bikes", "my-producer", "Zürich logs"} {
		id := Format(producer, 1234)
		name, n, ok := Parse(id)
		assert.True(t, ok, id)
		assert.Equal(t, SafeName(producer), name, "%s: the name comes back safe", id)
		assert.Equal(t, uint64(1234), n, id)
	}
	assert.Equal(t, "bikes-42", Format("bikes", 42))
}
