package ledger

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators/recordid"
	"github.com/kinesim/kinesim/result"
)

// seq makes a sequence number of Kinesis's width (56 digits) that orders
// by n.
func seq(n int) string { return fmt.Sprintf("4959%052d", n) }

func TestVerdict(t *testing.T) {
	type delivery struct {
		id      string
		seq     int // 0: none
		key     string
		applied bool
	}
	tests := []struct {
		name       string
		deliveries []delivery
		want       result.ConsumerVerdict
	}{
		// Every acknowledged record once, in order: a clean verdict.
		{"exactly once", []delivery{{"p-1", 1, "a", true}, {"p-2", 2, "a", true}, {"p-3", 3, "b", true}},
			result.ConsumerVerdict{Deliveries: 3, DistinctRecords: 3}},
		// Record 3 never arrives.
		{"one lost", []delivery{{"p-1", 1, "a", true}, {"p-2", 2, "a", true}},
			result.ConsumerVerdict{Deliveries: 2, DistinctRecords: 2, Lost: 1}},
		// A replay from an old checkpoint: records 1 and 2 twice, applied twice.
		{"naive replay", []delivery{{"p-1", 1, "a", true}, {"p-2", 2, "a", true}, {"p-1", 1, "a", true}, {"p-2", 2, "a", true}, {"p-3", 3, "b", true}},
			result.ConsumerVerdict{Deliveries: 5, DistinctRecords: 3, DuplicateDeliveries: 2, DuplicateEffects: 2}},
		// The same replay into an idempotent sink: duplicates delivered, not applied.
		{"idempotent replay", []delivery{{"p-1", 1, "a", true}, {"p-2", 2, "a", true}, {"p-1", 1, "a", false}, {"p-3", 3, "b", true}},
			result.ConsumerVerdict{Deliveries: 4, DistinctRecords: 3, DuplicateDeliveries: 1}},
		// Record 2 (key a) arrives after record... 1 of key a with a higher sequence number.
		{"reordered within a key", []delivery{{"p-2", 2, "a", true}, {"p-1", 1, "a", true}, {"p-3", 3, "b", true}},
			result.ConsumerVerdict{Deliveries: 3, DistinctRecords: 3, Reordered: 1}},
		// Different keys may interleave in any order.
		{"other keys interleave", []delivery{{"p-3", 3, "b", true}, {"p-1", 1, "a", true}, {"p-2", 2, "a", true}},
			result.ConsumerVerdict{Deliveries: 3, DistinctRecords: 3}},
		// Record 4 was dead-lettered but turns up (its ack was lost), and record
		// 1 turns up a second time from another write (a retried PutRecords).
		{"written without an ack", []delivery{{"p-1", 1, "a", true}, {"p-2", 2, "a", true}, {"p-3", 3, "b", true}, {"p-4", 9, "b", true}, {"p-1", 7, "a", true}},
			result.ConsumerVerdict{Deliveries: 5, DistinctRecords: 4, DuplicateDeliveries: 1, DuplicateEffects: 1, DeliveredNotAcknowledged: 2}},
		// Ids of no producer, or not ids at all.
		{"unknown ids", []delivery{{"p-1", 1, "a", true}, {"p-2", 2, "a", true}, {"p-3", 3, "b", true}, {"q-1", 0, "", true}, {"garbage", 0, "", true}},
			result.ConsumerVerdict{Deliveries: 5, DistinctRecords: 3, Unknown: 2}},
		// Without sequence numbers order is not checked.
		{"no sequence numbers", []delivery{{"p-3", 0, "", true}, {"p-2", 0, "", true}, {"p-1", 0, "", true}},
			result.ConsumerVerdict{Deliveries: 3, DistinctRecords: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New()
			p := l.Producer("p")
			p.Acknowledged(1, "a", "shardId-000000000000", seq(1), 1)
			p.Acknowledged(2, "a", "shardId-000000000000", seq(2), 2)
			p.Acknowledged(3, "b", "shardId-000000000000", seq(3), 1)
			p.Failed(4, "b", 5, DeadLettered)
			c := l.Consumer("c")
			for _, d := range tt.deliveries {
				var s string
				if d.seq > 0 {
					s = seq(d.seq)
				}
				c.Delivered(Delivery{RecordID: d.id, SequenceNumber: s, PartitionKey: d.key, Applied: d.applied})
			}
			want := tt.want
			want.Consumer, want.Acknowledged, want.Passed = "c", 3, true
			assert.Equal(t, want, c.Verdict())
		})
	}
}

func TestFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	l, err := Create(path)
	require.NoError(t, err)
	p := l.Producer("bikes")
	c := l.Consumer("dash")
	for id := uint64(1); id <= 100; id++ {
		if id%10 == 0 {
			p.Failed(id, "k", 3, Unfinished)
			continue
		}
		p.Acknowledged(id, fmt.Sprint("k", id%7), "shardId-000000000001", seq(int(id)), 1)
		if id%3 != 0 {
			c.Delivered(Delivery{RecordID: fmt.Sprint("bikes-", id), SequenceNumber: seq(int(id)), At: time.UnixMicro(int64(id)), Applied: true})
		}
	}
	want := c.Verdict()
	require.NoError(t, l.Close())

	got, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, []string{"bikes"}, got.Producers())
	require.Len(t, got.Consumers(), 1)
	assert.Equal(t, want, got.Consumers()[0].Verdict(), "the loaded ledger judges as the live one did")
	assert.Equal(t, map[Outcome]int64{Acknowledged: 90, Unfinished: 10}, got.producerByName("bikes").Counts())

	assert.Equal(t, End{Loaded: true, Complete: true, Bytes: fileSize(t, path), Events: got.End().Events, LastDelivery: time.UnixMicro(98)}, got.End())
	assert.Less(t, got.End().Events, int64(100), "runs of the plain fate, exceptions one by one: fewer events than records")

	// A file cut short by a crash loads up to its last whole event and says
	// it is incomplete: what was not delivered is not known lost.
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, cut := range []int{1, len(data) / 2} {
		require.NoError(t, os.WriteFile(path, data[:len(data)-cut], 0o644))
		l, err := Load(path)
		require.NoError(t, err, "cut %d bytes", cut)
		assert.False(t, l.End().Complete, "cut %d bytes", cut)
		if cs := l.Consumers(); len(cs) == 1 {
			v := cs[0].Verdict()
			assert.Zero(t, v.Lost, "cut %d bytes: nothing is judged lost", cut)
			if cut == 1 { // only the end marker is gone
				assert.Equal(t, want.Lost+want.Unread, v.Unread, "what was not delivered is unread")
			}
		}
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	return fi.Size()
}

func TestLoadRejectsOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x")
	require.NoError(t, os.WriteFile(path, []byte("hello"), 0o644))
	_, err := Load(path)
	assert.ErrorContains(t, err, "not a kinesim ledger file")
}

func TestConcurrentUse(t *testing.T) {
	l, err := Create(filepath.Join(t.TempDir(), FileName))
	require.NoError(t, err)
	p := l.Producer("p")
	c := l.Consumer("c")
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 1000 {
				id := uint64(w*1000 + i + 1)
				p.Acknowledged(id, "k", "s", seq(int(id)), 1)
				c.Delivered(Delivery{RecordID: fmt.Sprint("p-", id), Applied: true})
			}
		})
	}
	wg.Wait()
	require.NoError(t, l.Close())
	v := c.Verdict()
	assert.Equal(t, int64(4000), v.Acknowledged)
	assert.Equal(t, int64(0), v.Lost)
}

func TestProducerNamesSpelledAsRecordIDs(t *testing.T) {
	// A name with bytes outside [A-Za-z0-9._-]: its records' ids (as the
	// generators write them) must find the producer the ledger keeps.
	for _, name := range []string{"bikes", "bike rides", "Zürich"} {
		l := New()
		p := l.Producer(name)
		p.Acknowledged(1, "k", "shardId-000000000000", seq(1), 1)
		c := l.Consumer("c")
		assert.True(t, c.Delivered(Delivery{RecordID: recordid.Format(name, 1), Applied: true}), "%q: the first delivery of its record 1", name)
		assert.Equal(t, 1, c.DeliveryCount(recordid.Format(name, 1)), "%q: delivered once", name)
		assert.Equal(t, int64(0), c.Verdict().Lost, "%q: nothing lost", name)
	}
}

// BenchmarkProducerMemory reports the producer side's memory per record for
// 10 million records (target: ≤ 16 bytes).
func BenchmarkProducerMemory(b *testing.B) {
	const n = 10_000_000
	for b.Loop() {
		l := New()
		p := l.Producer("p")
		for id := uint64(1); id <= n; id++ {
			p.Acknowledged(id, "key", "shardId-000000000000", "49590338271490256608559692538361571095921575989136588898", 1)
		}
		b.ReportMetric(float64(p.Bytes())/n, "bytes/record")
	}
}

// BenchmarkVerify measures folding deliveries in and judging them (target:
// ≥ 5 M records/s).
func BenchmarkVerify(b *testing.B) {
	const n = 1_000_000
	l := New()
	p := l.Producer("p")
	ids := make([]string, n)
	seqs := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprint("p-", i+1)
		seqs[i] = seq(i + 1)
		p.Acknowledged(uint64(i+1), fmt.Sprint("k", i%1000), "s", seqs[i], 1)
	}
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		c := New()
		c.producers, c.byName = l.producers, l.byName
		cons := c.Consumer("c")
		for i := range n {
			cons.Delivered(Delivery{RecordID: ids[i], SequenceNumber: seqs[i], Applied: true})
		}
		_ = cons.Verdict()
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "records/s")
}
