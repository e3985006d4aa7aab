package kpl

import (
	"crypto/md5"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
)

// The test encoder below writes messages field by field, independently of
// the package's encoder, so tests can build any aggregate, broken ones too.

// wrap makes an aggregated record of a message body: magic, body, MD5.
func wrap(body []byte) []byte {
	b := append([]byte{0xF3, 0x89, 0x9A, 0xC2}, body...)
	sum := md5.Sum(body)
	return append(b, sum[:]...)
}

func field(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func varintField(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

// rec encodes a Record message; ehk < 0 leaves the explicit hash key out.
func rec(pk int, ehk int, data string) []byte {
	b := varintField(nil, 1, uint64(pk))
	if ehk >= 0 {
		b = varintField(b, 2, uint64(ehk))
	}
	return field(b, 3, []byte(data))
}

// body encodes an AggregatedRecord message.
func body(pks, ehks []string, records ...[]byte) []byte {
	var b []byte
	for _, pk := range pks {
		b = field(b, 1, []byte(pk))
	}
	for _, ehk := range ehks {
		b = field(b, 2, []byte(ehk))
	}
	for _, r := range records {
		b = field(b, 3, r)
	}
	return b
}

// randomUserRecords makes n user records over a few partition keys (so the
// tables deduplicate), some with explicit hash keys, data up to maxData bytes.
func randomUserRecords(rng *rand.Rand, n, maxData int) []UserRecord {
	urs := make([]UserRecord, n)
	for i := range urs {
		urs[i] = UserRecord{
			PartitionKey: fmt.Sprintf("key-%d", rng.IntN(40)),
			Data:         make([]byte, rng.IntN(maxData+1)),
		}
		for j := range urs[i].Data {
			urs[i].Data[j] = byte(rng.Uint32())
		}
		if rng.IntN(4) == 0 {
			urs[i].ExplicitHashKey = fmt.Sprint(rng.Uint64())
		}
	}
	return urs
}

// aggregateAll adds every user record, then flushes.
func aggregateAll(t testing.TB, a *Aggregator, urs []UserRecord) []Aggregate {
	t.Helper()
	var out []Aggregate
	for i, ur := range urs {
		var err error
		out, err = a.Add(out, ur)
		require.NoError(t, err, "user record %d", i)
	}
	return a.Flush(out)
}

// keys strips what the Aggregator and Deaggregate add, for comparing user
// records with what was put.
func keys(urs []UserRecord) []UserRecord {
	out := make([]UserRecord, len(urs))
	for i, ur := range urs {
		out[i] = UserRecord{PartitionKey: ur.PartitionKey, ExplicitHashKey: ur.ExplicitHashKey, Data: ur.Data}
		if out[i].Data == nil {
			out[i].Data = []byte{}
		}
	}
	return out
}
