package kpl

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
)

func TestDeaggregate(t *testing.T) {
	pkA, pkB := "alpha", "beta"
	good := body([]string{pkA, pkB}, []string{"7"}, rec(0, -1, "one"), rec(1, 0, "two"), rec(0, -1, "three"))
	goodRecords := []UserRecord{
		{PartitionKey: pkA, Data: []byte("one"), SubSequenceNumber: 0, Aggregated: true},
		{PartitionKey: pkB, ExplicitHashKey: "7", Data: []byte("two"), SubSequenceNumber: 1, Aggregated: true},
		{PartitionKey: pkA, Data: []byte("three"), SubSequenceNumber: 2, Aggregated: true},
	}
	badDigest := wrap(good)
	badDigest[len(badDigest)-1] ^= 1
	// shard holds every key of good; narrow only MD5("alpha"), so not the
	// explicit hash key 7 of good's second user record.
	alpha, beta := partitionHashKey(pkA), partitionHashKey(pkB)
	var top string
	if beta.Less(alpha) {
		top = alpha.String()
	} else {
		top = beta.String()
	}
	shard, err := ParseHashRange("0", top)
	require.NoError(t, err)
	narrow, err := ParseHashRange(alpha.String(), alpha.String())
	require.NoError(t, err)

	tests := []struct {
		name        string
		data        []byte
		shard       HashRange
		want        []UserRecord // nil: the record passed through whole
		aggregated  bool
		filtered    int
		wantCorrupt error
	}{
		// good aggregates
		{name: "aggregate", data: wrap(good), shard: AllHashKeys, want: goodRecords, aggregated: true},
		{name: "aggregate within the shard", data: wrap(good), shard: shard, want: goodRecords, aggregated: true},
		{name: "unknown fields are skipped", data: wrap(append(varintField(good, 9, 5), field(nil, 15, []byte("x"))...)), shard: AllHashKeys, want: goodRecords, aggregated: true},
		{name: "a known field with another wire type is unknown", data: wrap(append(varintField(nil, 1, 3), good...)), shard: AllHashKeys, want: goodRecords, aggregated: true},
		{name: "tags are read and dropped", data: wrap(body([]string{pkA}, nil, field(rec(0, -1, "one"), 4, field(nil, 1, []byte("k"))))), shard: AllHashKeys, want: goodRecords[:1], aggregated: true},
		{name: "empty data is a user record", data: wrap(body([]string{pkA}, nil, rec(0, -1, ""), rec(0, -1, "x"))), shard: AllHashKeys, want: []UserRecord{{PartitionKey: pkA, Data: []byte{}, Aggregated: true}, {PartitionKey: pkA, Data: []byte("x"), SubSequenceNumber: 1, Aggregated: true}}, aggregated: true},

		// plain records pass through
		{name: "no magic", data: []byte("just json"), shard: AllHashKeys},
		{name: "shorter than the magic", data: []byte{0xF3, 0x89}, shard: AllHashKeys},
		{name: "empty", data: []byte{}, shard: AllHashKeys},
		{name: "plain records are never filtered", data: []byte("x"), shard: narrow},

		// corrupt aggregates: passed through as KCL does, and reported
		{name: "magic only", data: []byte{0xF3, 0x89, 0x9A, 0xC2}, shard: AllHashKeys, wantCorrupt: ErrTruncated},
		{name: "magic and 16 bytes", data: append([]byte{0xF3, 0x89, 0x9A, 0xC2}, make([]byte, 16)...), shard: AllHashKeys, wantCorrupt: ErrTruncated},
		{name: "digest mismatch", data: badDigest, shard: AllHashKeys, wantCorrupt: ErrDigestMismatch},
		{name: "truncated message", data: wrap(good[:len(good)-2]), shard: AllHashKeys, wantCorrupt: ErrMalformed},
		{name: "not protobuf", data: wrap([]byte{0xFF, 0xFF, 0xFF}), shard: AllHashKeys, wantCorrupt: ErrMalformed},
		{name: "field number zero", data: wrap([]byte{0x00, 0x01}), shard: AllHashKeys, wantCorrupt: ErrMalformed},
		{name: "required data missing", data: wrap(body([]string{pkA}, nil, varintField(nil, 1, 0))), shard: AllHashKeys, wantCorrupt: ErrMalformed},
		{name: "required partition key index missing", data: wrap(body([]string{pkA}, nil, field(nil, 3, []byte("x")))), shard: AllHashKeys, wantCorrupt: ErrMalformed},
		{name: "tag without its required key", data: wrap(body([]string{pkA}, nil, field(rec(0, -1, "one"), 4, field(nil, 2, []byte("v"))))), shard: AllHashKeys, wantCorrupt: ErrMalformed},
		{name: "unterminated group", data: wrap(protowire.AppendTag(nil, 9, protowire.StartGroupType)), shard: AllHashKeys, wantCorrupt: ErrMalformed},

		// corrupt keys end the aggregate where they are, keeping what came before (KCL)
		{name: "partition key index out of range", data: wrap(body([]string{pkA}, nil, rec(0, -1, "one"), rec(1, -1, "two"), rec(0, -1, "three"))), shard: AllHashKeys, want: goodRecords[:1], aggregated: true, wantCorrupt: ErrBadKey},
		{name: "explicit hash key index out of range", data: wrap(body([]string{pkA}, nil, rec(0, -1, "one"), rec(0, 0, "two"))), shard: AllHashKeys, want: goodRecords[:1], aggregated: true, wantCorrupt: ErrBadKey},
		{name: "explicit hash key not a number", data: wrap(body([]string{pkA}, []string{"x1"}, rec(0, -1, "one"), rec(0, 0, "two"))), shard: AllHashKeys, want: goodRecords[:1], aggregated: true, wantCorrupt: ErrBadKey},
		{name: "no user records", data: wrap(body([]string{pkA}, nil)), shard: AllHashKeys, want: []UserRecord{}, aggregated: true, wantCorrupt: ErrEmpty},

		// the reshard filter drops whole aggregates
		{name: "one user record outside the shard drops the aggregate", data: wrap(good), shard: narrow, want: []UserRecord{}, aggregated: true, filtered: 3},
		{name: "explicit hash key above 2^128-1 is in no shard", data: wrap(body([]string{pkA}, []string{"340282366920938463463374607431768211456"}, rec(0, -1, "one"), rec(0, 0, "two"))), shard: AllHashKeys, want: []UserRecord{}, aggregated: true, filtered: 2},
		{name: "negative explicit hash key is in no shard", data: wrap(body([]string{pkA}, []string{"-1"}, rec(0, 0, "two"))), shard: AllHashKeys, want: []UserRecord{}, aggregated: true, filtered: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Record{PartitionKey: "outer", Data: tt.data}
			prior := UserRecord{PartitionKey: "earlier"}
			got, out := Deaggregate([]UserRecord{prior}, in, tt.shard)
			require.NotEmpty(t, got)
			assert.Equal(t, prior, got[0], "dst is appended to, never overwritten")
			got = got[1:]
			want := tt.want
			if want == nil {
				want = []UserRecord{{PartitionKey: "outer", Data: tt.data}}
			}
			assert.Equal(t, want, got)
			assert.Equal(t, tt.aggregated, out.Aggregated, "aggregated")
			assert.Equal(t, tt.aggregated || errors.Is(tt.wantCorrupt, ErrMalformed), IsAggregate(tt.data), "IsAggregate: magic and digest")
			assert.Equal(t, tt.filtered, out.Filtered, "filtered")
			if tt.wantCorrupt == nil {
				assert.NoError(t, out.Corrupt)
			} else {
				assert.ErrorIs(t, out.Corrupt, ErrCorrupt)
				assert.ErrorIs(t, out.Corrupt, tt.wantCorrupt)
			}
		})
	}
}
