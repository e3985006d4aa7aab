package generators

import (
	"bytes"
	"math"
	"strconv"
	"time"

	"github.com/kinesim/kinesim/generators/recordid"
)

// The record metadata forms (see the package documentation).
const (
	metaJSONID     = `{"kinesim_id":"`
	metaJSONSent   = `","kinesim_sent_us":`
	metaTokenStart = "kinesim:"
	metaSDStart    = `[kinesim@32473 id="`
	metaSDSent     = `" sent_us="`
)

// metaWriter appends a record's metadata (Meta.Producer, Meta.ID and
// Meta.Intended) in the form each kind's grammar allows. It caches the
// producer name made safe for every form (recordid.SafeName), so an id
// never needs quoting or escaping.
type metaWriter struct {
	producer string
	safe     string
	cached   bool
}

func (w *metaWriter) appendID(dst []byte, m Meta) []byte {
	if !w.cached || m.Producer != w.producer {
		w.producer, w.safe, w.cached = m.Producer, recordid.SafeName(m.Producer), true
	}
	return recordid.Append(dst, w.safe, m.ID)
}

// appendJSON opens a JSON object with the reserved leading fields:
// {"kinesim_id":"bikes-42","kinesim_sent_us":1732590000123456
// The caller appends ,"field":value... and the closing brace.
func (w *metaWriter) appendJSON(dst []byte, m Meta) []byte {
	dst = append(dst, metaJSONID...)
	dst = w.appendID(dst, m)
	dst = append(dst, metaJSONSent...)
	return strconv.AppendInt(dst, m.Intended.UnixMicro(), 10)
}

// appendToken appends the one-token form kinesim:bikes-42:1732590000123456,
// for text grammars with a free token (the Apache ident field, a syslog
// message).
func (w *metaWriter) appendToken(dst []byte, m Meta) []byte {
	dst = append(dst, metaTokenStart...)
	dst = w.appendID(dst, m)
	dst = append(dst, ':')
	return strconv.AppendInt(dst, m.Intended.UnixMicro(), 10)
}

// appendSD appends an RFC 5424 structured-data element
// [kinesim@32473 id="bikes-42" sent_us="1732590000123456"]
// (32473 is the enterprise number RFC 5612 reserves for documentation).
func (w *metaWriter) appendSD(dst []byte, m Meta) []byte {
	dst = append(dst, metaSDStart...)
	dst = w.appendID(dst, m)
	dst = append(dst, metaSDSent...)
	dst = strconv.AppendInt(dst, m.Intended.UnixMicro(), 10)
	return append(dst, '"', ']')
}

// ParseMeta reads back the record id and intended send time that a
// generator embedded in data, in any of the forms the package documents. It
// does not decode the record: it finds the reserved marker (at the very
// start for JSON kinds) and parses the two values after it. ok is false
// when data carries no well-formed metadata.
func ParseMeta(data []byte) (id string, sent time.Time, ok bool) {
	if bytes.HasPrefix(data, []byte(metaJSONID)) {
		return parseMetaAfter(data[len(metaJSONID):], '"', metaJSONSent, 0)
	}
	if i := bytes.Index(data, []byte(metaSDStart)); i >= 0 {
		return parseMetaAfter(data[i+len(metaSDStart):], '"', metaSDSent, '"')
	}
	if i := bytes.Index(data, []byte(metaTokenStart)); i >= 0 {
		return parseMetaAfter(data[i+len(metaTokenStart):], ':', ":", 0)
	}
	if i := bytes.Index(data, []byte(`"kinesim_id":"`)); i >= 0 {
		// A JSON record whose leading fields were moved (e.g. re-encoded).
		return parseMetaAfter(data[i+len(`"kinesim_id":"`):], '"', metaJSONSent, 0)
	}
	return "", time.Time{}, false
}

// parseMetaAfter parses ID<idEnd>...sep<digits>[closer] from rest.
func parseMetaAfter(rest []byte, idEnd byte, sep string, closer byte) (string, time.Time, bool) {
	n := 0
	for n < len(rest) && recordid.IsIDByte(rest[n]) {
		n++
	}
	if n == 0 || n == len(rest) || rest[n] != idEnd || !bytes.HasPrefix(rest[n:], []byte(sep)) {
		return "", time.Time{}, false
	}
	digits := rest[n+len(sep):]
	negative := len(digits) > 0 && digits[0] == '-'
	end := 0
	if negative {
		end++
	}
	var us int64
	for ; end < len(digits) && '0' <= digits[end] && digits[end] <= '9'; end++ {
		if us > (math.MaxInt64-9)/10 {
			return "", time.Time{}, false
		}
		us = us*10 + int64(digits[end]-'0')
	}
	if end == 0 || negative && end == 1 || closer != 0 && (end == len(digits) || digits[end] != closer) {
		return "", time.Time{}, false
	}
	if negative {
		us = -us
	}
	return string(rest[:n]), time.UnixMicro(us), true
}

// NextMeta finds the first well-formed record metadata in data, in any
// form, and returns it with the data after its marker: calling it again on
// rest finds the next record's. It reads records concatenated without a
// separator, as Firehose delivers them to S3 when no delimiter is added,
// in one pass: every form's marker holds "kinesim", which it looks for.
func NextMeta(data []byte) (id string, sent time.Time, rest []byte, ok bool) {
	const common = "kinesim"
	for {
		i := bytes.Index(data, []byte(common))
		if i < 0 {
			return "", time.Time{}, nil, false
		}
		var (
			after         []byte
			idEnd, closer byte
			sep           string
		)
		switch {
		case i > 0 && bytes.HasPrefix(data[i-1:], []byte(`"kinesim_id":"`)):
			after, idEnd, sep = data[i-1+len(`"kinesim_id":"`):], '"', metaJSONSent
		case i > 0 && bytes.HasPrefix(data[i-1:], []byte(metaSDStart)):
			after, idEnd, sep, closer = data[i-1+len(metaSDStart):], '"', metaSDSent, '"'
		case bytes.HasPrefix(data[i:], []byte(metaTokenStart)):
			after, idEnd, sep = data[i+len(metaTokenStart):], ':', ":"
		default:
			data = data[i+len(common):]
			continue
		}
		if id, sent, ok := parseMetaAfter(after, idEnd, sep, closer); ok {
			return id, sent, after, true
		}
		data = data[i+len(common):]
	}
}
