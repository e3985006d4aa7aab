package generators

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMetaRoundTrip(t *testing.T) {
	sent := time.Date(2024, 11, 26, 3, 0, 0, 123456000, time.UTC)
	m := Meta{Producer: "bikes", ID: 42, Intended: sent}
	var w metaWriter
	tests := []struct {
		name   string
		record []byte
		wantID string
	}{
		// JSON kinds: the reserved leading fields.
		{name: "json", record: append(w.appendJSON(nil, m), `,"event_type":"x"}`...), wantID: "bikes-42"},
		// RFC 5424 syslog: a structured-data element.
		{name: "structured data", record: append(append([]byte("<165>1 2024-11-26T03:00:00.123Z host app 1 - "), w.appendSD(nil, m)...), " hello"...), wantID: "bikes-42"},
		// Text grammars: one token, here as an Apache ident field.
		{name: "token", record: append(append([]byte("10.0.0.1 "), w.appendToken(nil, m)...), ` - [26/Nov/2024:03:00:00 +0000] "GET / HTTP/1.1" 200 5`...), wantID: "bikes-42"},
		// Producer names are made safe for every form.
		{name: "unsafe producer", record: append(w.appendJSON(nil, Meta{Producer: `my "bike" fleet`, ID: 7, Intended: sent}), '}'), wantID: "my__bike__fleet-7"},
		// A JSON record whose fields were reordered still parses.
		{name: "json reordered", record: []byte(`{"a":1,"kinesim_id":"bikes-42","kinesim_sent_us":1732590000123456}`), wantID: "bikes-42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, got, ok := ParseMeta(tt.record)
			require.True(t, ok, "ParseMeta(%s)", tt.record)
			assert.Equal(t, tt.wantID, id)
			assert.True(t, sent.Equal(got), "sent: got %v, want %v", got, sent)
		})
	}
}

func TestParseMetaRejects(t *testing.T) {
	tests := []struct {
		name   string
		record string
	}{
		// No metadata at all.
		{name: "plain", record: `{"event_type":"x"}`},
		// An empty id.
		{name: "empty id", record: `{"kinesim_id":"","kinesim_sent_us":1}`},
		// A missing time.
		{name: "no time", record: `{"kinesim_id":"a-1","kinesim_sent_us":}`},
		// Cut short inside the id.
		{name: "truncated", record: `{"kinesim_id":"a-1`},
		// A time too large for int64.
		{name: "overflow", record: `{"kinesim_id":"a-1","kinesim_sent_us":99999999999999999999}`},
		// A structured-data element without its closing quote.
		{name: "sd unclosed", record: `[kinesim@32473 id="a-1" sent_us="12]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, ok := ParseMeta([]byte(tt.record))
			assert.False(t, ok)
		})
	}
}

func TestParseMetaEveryBikeRecord(t *testing.T) {
	for i, rec := range generate(t, "bike", nil, 3, 5000) {
		id, sent, ok := ParseMeta(rec)
		require.True(t, ok, "record %d: %s", i, rec)
		assert.Equal(t, "p-"+strconv.Itoa(i), id)
		assert.True(t, testStart.Add(time.Duration(i)*time.Millisecond).Equal(sent), "record %d sent %v", i, sent)
	}
}

func BenchmarkParseMeta(b *testing.B) {
	var w metaWriter
	rec := append(w.appendJSON(nil, Meta{Producer: "bikes", ID: 123456, Intended: testStart}), `,"event_type":"bike_location"}`...)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, ok := ParseMeta(rec); !ok {
			b.Fatal("no meta")
		}
	}
}

func TestNextMetaReadsConcatenatedRecords(t *testing.T) {
	at := time.UnixMicro(1732590000123456)
	var data []byte
	for i, kind := range []string{"bike", "logs", "clickstream", "logs"} {
		gen, err := New(kind, nil, 7)
		require.NoError(t, err)
		data = gen.Next(data, Meta{Producer: "p", ID: uint64(i + 1), Intended: at})
	}
	var ids []string
	for rest := data; ; {
		id, sent, next, ok := NextMeta(rest)
		if !ok {
			break
		}
		assert.Equal(t, at, sent)
		ids = append(ids, id)
		rest = next
	}
	assert.Equal(t, []string{"p-1", "p-2", "p-3", "p-4"}, ids, "every record of the concatenation, in order")
}

// BenchmarkNextMeta reads the record ids back out of 1 MiB of
// concatenated log lines, as the Firehose read-back does per object.
func BenchmarkNextMeta(b *testing.B) {
	gen, err := New("logs", nil, 1)
	require.NoError(b, err)
	var data []byte
	for id := uint64(1); len(data) < 1<<20; id++ {
		data = gen.Next(data, Meta{Producer: "web", ID: id, Intended: time.UnixMicro(1732590000123456)})
		data = append(data, '\n')
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		n := 0
		for rest := data; ; n++ {
			_, _, next, ok := NextMeta(rest)
			if !ok {
				break
			}
			rest = next
		}
		if n == 0 {
			b.Fatal("no records found")
		}
	}
}
