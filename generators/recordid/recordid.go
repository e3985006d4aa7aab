// Package recordid is the id kinesim gives each record, PRODUCER-N: the
// producer's name made safe for every metadata form a generator writes
// (bytes outside [A-Za-z0-9._-] become '_', so an id never needs quoting or
// escaping), a dash, and the record's number, counting from 1. Generators
// write ids; the ledger and the consumers read them back. It imports only
// the standard library, so the ledger can use it without the generators.
//
// Every function is pure and safe for concurrent use.
package recordid

import (
	"strconv"
	"strings"
)

// IsIDByte reports whether c may appear in a record id as it is.
func IsIDByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}

// SafeName spells a producer name as record ids carry it: each byte
// outside [A-Za-z0-9._-] becomes '_' (a two-byte UTF-8 letter becomes two).
func SafeName(name string) string {
	i := 0
	for i < len(name) && IsIDByte(name[i]) {
		i++
	}
	if i == len(name) {
		return name
	}
	var b strings.Builder
	b.Grow(len(name))
	b.WriteString(name[:i])
	for ; i < len(name); i++ {
		if c := name[i]; IsIDByte(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// Append appends the id of record n of the producer whose SafeName is
// safeName.
func Append(dst []byte, safeName string, n uint64) []byte {
	dst = append(dst, safeName...)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, n, 10)
}

// Format is the id of record n of the named producer.
func Format(producer string, n uint64) string {
	return string(Append(nil, SafeName(producer), n))
}

// Parse splits an id into the producer's safe name and the record number.
// ok is false unless id is NAME-N with a non-empty name and N >= 1.
func Parse(id string) (safeName string, n uint64, ok bool) {
	i := strings.LastIndexByte(id, '-')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.ParseUint(id[i+1:], 10, 64)
	if err != nil || n == 0 {
		return "", 0, false
	}
	return id[:i], n, true
}
