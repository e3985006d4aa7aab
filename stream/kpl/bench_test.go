package kpl

import (
	"fmt"
	"testing"
)

// benchRecords is a bike-telemetry-like load: 100-byte payloads over 500
// partition keys.
func benchRecords(n int) []UserRecord {
	urs := make([]UserRecord, n)
	for i := range urs {
		urs[i] = UserRecord{PartitionKey: fmt.Sprintf("bike-%d", i%500), Data: make([]byte, 100)}
	}
	return urs
}

// BenchmarkAggregate measures packing user records into 50 KiB aggregates.
func BenchmarkAggregate(b *testing.B) {
	urs := benchRecords(4096)
	a, err := NewAggregator()
	if err != nil {
		b.Fatal(err)
	}
	var out []Aggregate
	b.SetBytes(100)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		out, err = a.Add(out[:0], urs[i%len(urs)])
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeaggregate measures unpacking a full 50 KiB aggregate, with the
// shard filter on; bytes/s counts user data.
func BenchmarkDeaggregate(b *testing.B) {
	a, err := NewAggregator()
	if err != nil {
		b.Fatal(err)
	}
	var aggs []Aggregate
	for _, ur := range benchRecords(4096) {
		if aggs, err = a.Add(aggs, ur); err != nil {
			b.Fatal(err)
		}
	}
	ag := aggs[0]
	b.SetBytes(int64(100 * len(ag.UserRecords)))
	b.ReportAllocs()
	var urs []UserRecord
	for b.Loop() {
		var out Outcome
		urs, out = Deaggregate(urs[:0], ag.Record, AllHashKeys)
		if out.Corrupt != nil || len(urs) != len(ag.UserRecords) {
			b.Fatal(out)
		}
	}
	b.ReportMetric(float64(len(ag.UserRecords)), "user-records/aggregate")
}

// BenchmarkRoundTrip measures aggregate then deaggregate per user record.
func BenchmarkRoundTrip(b *testing.B) {
	urs := benchRecords(4096)
	a, err := NewAggregator()
	if err != nil {
		b.Fatal(err)
	}
	var out []Aggregate
	var back []UserRecord
	b.SetBytes(100)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if out, err = a.Add(out[:0], urs[i%len(urs)]); err != nil {
			b.Fatal(err)
		}
		for _, ag := range out {
			back, _ = Deaggregate(back[:0], ag.Record, AllHashKeys)
		}
	}
}
