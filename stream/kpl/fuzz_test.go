package kpl

import (
	"bytes"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// FuzzDeaggregate feeds Deaggregate arbitrary records. `go test` runs the
// seeds; `go test -run '^$' -fuzz '^FuzzDeaggregate$' ./stream/kpl` searches.
func FuzzDeaggregate(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(checkDeaggregate)
}

// FuzzDeaggregateMessage feeds Deaggregate arbitrary messages behind a good
// magic and digest, so the search reaches the protobuf decoder (a mutated
// whole record almost never keeps its MD5). Run it with
// `go test -run '^$' -fuzz '^FuzzDeaggregateMessage$' ./stream/kpl`.
func FuzzDeaggregateMessage(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		if len(seed) > Overhead && [magicLen]byte(seed[:magicLen]) == magic {
			f.Add(seed[magicLen : len(seed)-digestLen])
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkDeaggregate(t, wrap(body)) })
}

// checkDeaggregate checks what holds for any record: no panic, a plain
// record passes through whole, an aggregate's user records come from it, in
// order, and its message re-encodes to itself.
func checkDeaggregate(t *testing.T, data []byte) {
	in := Record{PartitionKey: "outer", Data: data}
	urs, out := Deaggregate(nil, in, AllHashKeys)
	hasMagic := len(data) >= magicLen && [magicLen]byte(data[:magicLen]) == magic
	if out.Corrupt != nil && (!hasMagic || !errors.Is(out.Corrupt, ErrCorrupt)) {
		t.Fatalf("corrupt %v reported for a record without the magic, or not matching ErrCorrupt", out.Corrupt)
	}
	if !out.Aggregated {
		if len(urs) != 1 || urs[0].PartitionKey != "outer" || !bytes.Equal(urs[0].Data, data) || urs[0].Aggregated || out.Filtered != 0 {
			t.Fatalf("a record that is not an aggregate must pass through whole: got %d user records, %v", len(urs), out)
		}
		return
	}
	if out.Filtered > 0 && len(urs) != 0 {
		t.Fatalf("filtered %d but kept %d user records", out.Filtered, len(urs))
	}
	for i, ur := range urs {
		if ur.SubSequenceNumber != int64(i) || !ur.Aggregated {
			t.Fatalf("user record %d: sub-sequence number %d, aggregated %t", i, ur.SubSequenceNumber, ur.Aggregated)
		}
		if !bytes.Contains(data, ur.Data) {
			t.Fatalf("user record %d: data is not from the record", i)
		}
	}
	checkReencodes(t, data[magicLen:len(data)-digestLen])
}

// checkReencodes: a message that decodes re-encodes to one that decodes the
// same, and to exactly the size the encoder was told.
func checkReencodes(t *testing.T, body []byte) {
	m, err := decodeMessage(body)
	if err != nil {
		t.Fatalf("Deaggregate unpacked a message that does not decode: %v", err)
	}
	size := messageSize(&m)
	again := m.appendRecord(nil, size)
	if len(again) != Overhead+size {
		t.Fatalf("re-encoded %d bytes, want %d", len(again), Overhead+size)
	}
	m2, err := decodeMessage(again[magicLen : len(again)-digestLen])
	if err != nil {
		t.Fatalf("re-encoded message does not decode: %v", err)
	}
	if len(m2.entries) != len(m.entries) || len(m2.partitionKeys) != len(m.partitionKeys) || len(m2.explicitHashKeys) != len(m.explicitHashKeys) {
		t.Fatalf("re-encoded message differs: %d/%d/%d, want %d/%d/%d", len(m2.partitionKeys), len(m2.explicitHashKeys), len(m2.entries), len(m.partitionKeys), len(m.explicitHashKeys), len(m.entries))
	}
	for i := range m.entries {
		a, b := m.entries[i], m2.entries[i]
		if a.partitionKeyIndex != b.partitionKeyIndex || a.hasExplicitHashKey != b.hasExplicitHashKey || (a.hasExplicitHashKey && a.explicitHashKeyIndex != b.explicitHashKeyIndex) || !bytes.Equal(a.data, b.data) {
			t.Fatalf("entry %d differs after re-encoding", i)
		}
	}
}

// messageSize is the encoded size of m, computed the long way.
func messageSize(m *message) int {
	n := 0
	for _, pk := range m.partitionKeys {
		n += tagLen + protowire.SizeBytes(len(pk))
	}
	for _, ehk := range m.explicitHashKeys {
		n += tagLen + protowire.SizeBytes(len(ehk))
	}
	for _, e := range m.entries {
		n += tagLen + protowire.SizeBytes(e.size())
	}
	return n
}

func fuzzSeeds(tb testing.TB) [][]byte {
	golden, _ := base64.StdEncoding.DecodeString("84mawgoBYQoBYhIDMTIzGgYIABoCaGkaCAgBEAAaAnlvnUHZYqjwtXdAq2Lnhco7Cw==")
	seeds := [][]byte{
		golden,
		[]byte("plain"),
		{},
		{0xF3, 0x89, 0x9A, 0xC2},
		wrap(nil),
		wrap(body([]string{"k"}, []string{"7"}, rec(0, 0, "x"), rec(0, -1, "y"))),
		wrap(body([]string{"k"}, nil, rec(3, -1, "x"))),
		wrap(body([]string{"k"}, nil, field(rec(0, -1, "x"), 4, field(field(nil, 1, []byte("t")), 2, []byte("v"))))),
		wrap([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f}),
	}
	a, err := NewAggregator(WithMaxBytes(2000))
	if err != nil {
		tb.Fatal(err)
	}
	var aggs []Aggregate
	for _, ur := range randomUserRecords(rand.New(rand.NewPCG(3, 4)), 60, 80) {
		aggs, _ = a.Add(aggs, ur)
	}
	for _, ag := range a.Flush(aggs) {
		seeds = append(seeds, ag.Data)
	}
	return seeds
}
