package consume

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFieldScanner(t *testing.T) {
	tests := []struct {
		name, data, field, want string
		found                   bool
	}{
		// A string value, without its quotes.
		{"string", `{"a":1,"event_type":"bike_returned"}`, "event_type", "bike_returned", true},
		// Spaces around the colon.
		{"spaced", `{"event_type" :  "x"}`, "event_type", "x", true},
		// A number as written.
		{"number", `{"speed_kmh":14.5,"b":2}`, "speed_kmh", "14.5", true},
		// The last field of an object.
		{"last", `{"n":-3}`, "n", "-3", true},
		// Escapes are left as written.
		{"escaped", `{"s":"a\"b"}`, "s", `a\"b`, true},
		// A value spelled like the name is not the name.
		{"value like the name", `{"x":"event_type","event_type":"y"}`, "event_type", "y", true},
		// A nested field counts, if it comes first.
		{"nested first", `{"o":{"k":"in"},"k":"out"}`, "k", "in", true},
		// Missing.
		{"missing", `{"a":1}`, "event_type", "", false},
		// Not JSON at all.
		{"not json", `plain text`, "a", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := newFieldScanner(tt.field).value([]byte(tt.data))
			assert.Equal(t, tt.found, ok, "found")
			assert.Equal(t, tt.want, string(got), "value")
		})
	}
}
