package ledger

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// simulateRun feeds the ledger n records of one producer written to 12
// shards at 10,000 records/s, acknowledged by 4 calls in flight of 500
// (in any order within them) and read back by one polling consumer every
// second, shard after shard. A share dup of the records have their
// acknowledgement lost: the producer's retry is acknowledged, and the
// consumer receives both writes.
func simulateRun(l *Ledger, n int, dup float64) {
	const shards, perSecond, call = 12, 10_000, 500
	rng := rand.New(rand.NewPCG(1, 2))
	p := l.Producer("bikes")
	c := l.Consumer("dash")
	shardIDs := make([]string, shards)
	for i := range shardIDs {
		shardIDs[i] = fmt.Sprintf("shardId-%012d", i)
	}
	var seqs [shards]int
	type write struct {
		id    uint64
		seq   string
		key   string
		shard int
	}
	byShard := make([][]write, shards)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for second := 0; second*perSecond < n; second++ {
		first := second*perSecond + 1
		last := min(first+perSecond-1, n)
		// Calls of 500 records, acknowledged four at a time in any order.
		var calls [][2]int
		for lo := first; lo <= last; lo += call {
			calls = append(calls, [2]int{lo, min(lo+call-1, last)})
		}
		rng.Shuffle(len(calls), func(i, j int) { calls[i], calls[j] = calls[j], calls[i] })
		for _, cl := range calls {
			for id := cl[0]; id <= cl[1]; id++ {
				key := "bike-" + strconv.Itoa(rng.IntN(5000))
				s := int(KeyHash(key) % shards)
				attempts := 1
				if rng.Float64() < dup {
					seqs[s]++
					byShard[s] = append(byShard[s], write{uint64(id), seq(seqs[s]), key, s}) // the write whose ack was lost
					attempts = 2
				}
				seqs[s]++
				w := write{uint64(id), seq(seqs[s]), key, s}
				byShard[s] = append(byShard[s], w)
				p.AcknowledgedAt(w.id, key, shardIDs[s], w.seq, attempts, start)
			}
		}
		at := start.Add(time.Duration(second+1) * time.Second)
		for s := range byShard {
			for _, w := range byShard[s] {
				c.Delivered(Delivery{RecordID: "bikes-" + strconv.FormatUint(w.id, 10), ShardID: shardIDs[s],
					SequenceNumber: w.seq, PartitionKey: w.key, At: at, Applied: true})
			}
			byShard[s] = byShard[s][:0]
		}
	}
}

// BenchmarkLedgerFile reports the ledger file's bytes per record for a
// clean run (target: ≤ 0.1) and one with 1% of records written twice
// (target: ≤ 2), and the heap the ledger holds at the end per million
// records (it must not grow with the records).
//
//	go test -run '^$' -bench LedgerFile -benchtime 1x ./runner/ledger/
func BenchmarkLedgerFile(b *testing.B) {
	for _, tc := range []struct {
		name string
		dup  float64
	}{{"clean", 0}, {"1%-duplicated", 0.01}} {
		for _, n := range []int{1_000_000, 10_000_000} {
			b.Run(fmt.Sprintf("%s/%dM", tc.name, n/1_000_000), func(b *testing.B) {
				for b.Loop() {
					path := filepath.Join(b.TempDir(), FileName)
					l, err := Create(path)
					if err != nil {
						b.Fatal(err)
					}
					simulateRun(l, n, tc.dup)
					if err := l.Close(); err != nil {
						b.Fatal(err)
					}
					runtime.GC()
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					v := l.Consumers()[0].Verdict()
					if v.Lost != 0 || v.Unread != 0 || v.Acknowledged != int64(n) {
						b.Fatalf("verdict %+v", v)
					}
					fi, err := os.Stat(path)
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(fi.Size())/float64(n), "file-B/record")
					b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
					runtime.KeepAlive(l)
				}
			})
		}
	}
}
