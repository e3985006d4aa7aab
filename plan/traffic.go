package plan

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/pricing"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/runner/pacing"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream/hashkey"
)

// traffic is what the simulator knows of a scenario's writes: per-second
// record counts for the fluid model, the records themselves in the
// per-record windows, and each producer's key shares and record sizes.
// It does not depend on the shard count, so every candidate count shares
// one traffic read-only.
type traffic struct {
	seconds   int // whole seconds simulated: the duration, rounded up
	producers []*producerTraffic
	keys      []keyInfo
	keyIndex  map[string]int32
	records   []record // the per-record windows' records, in time order
	windows   []window // disjoint, in time order
	windowAt  []int32  // index of the window starting at each second, or -1
	total     float64  // records due over the run

	// Read side: GetRecords calls per second per shard from polling
	// consumers, how many there are, and enhanced fan-out consumers.
	pollCallsPerShard float64
	polling, efo      int
}

// producerTraffic is one producer's share of the traffic.
type producerTraffic struct {
	name string
	due  []float64 // records due in each second
	peak []float64 // the highest rate (records/s) reached in each second
	// random: keys spread evenly over the hash key space (the random
	// chooser's 65,536 keys), so each shard takes its range's share.
	random  bool
	weights []keyWeight // each key's share of the records; nil when random
	poisson bool

	sampled               int     // records generated to measure sizes and keys
	meanBytes, meanSq     float64 // record size (data and key): mean, mean of squares
	putUnits, kbUnits     float64 // per record: 25 KB PUT payload units, 1 KB on-demand units
	peakRate              float64 // records/s
	peakAt                int     // the second of peakRate
	totalRecords          float64
	gen                   generators.Generator
	keyChooser            generators.KeyChooser
	hashKeys              generators.HashKeyer // set when records carry explicit hash keys
	sched                 pacing.Schedule
	rng                   *rand.Rand
	keyCount, keyBytes    map[int32]float64 // sampled, for field keys
	sampledBytes          float64
	sampledSq             float64
	sampledPut, sampledKB float64
	// agg, set for a producer that aggregates (KPL), turns its user
	// records into Kinesis records per shard; aggSample measures it.
	agg       *aggModel
	aggSample *aggSampler
	aggLinger float64
}

// keyWeight is one key's share of a producer's records and bytes.
type keyWeight struct {
	key            int32
	records, bytes float64
}

// keyInfo is a partition key and its hash key.
type keyInfo struct {
	name string
	hash hashkey.Key
}

// record is one record of a per-record window.
type record struct {
	at       float64 // seconds from the start
	size     int32   // data and partition key bytes
	key      int32
	producer int32 // index in traffic.producers
}

// window is a run of whole seconds simulated record by record.
type window struct {
	start, end   int // seconds, end exclusive
	first, limit int // records[first:limit]
}

// Sizes of the measurement.
const (
	// presample is how many records each producer makes first, to measure
	// sizes and keys before the windows are chosen.
	presample = 5_000
	// gridCells splits each second to place records along the schedule:
	// Due is read at every cell edge and interpolated linearly between.
	gridCells = 100
	// onDemandUnitBytes is the on-demand rounding (1 KB, 1,024 bytes).
	onDemandUnitBytes = pricing.OnDemandUnitBytes
	// defaultPollInterval is a polling consumer's wait between GetRecords
	// calls when the scenario gives none (1s, as the runner and KCL use).
	defaultPollInterval = time.Second
)

// epoch is the intended time of a plan's first second; generators write
// intended times into records, and a fixed epoch keeps sizes repeatable.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// newTraffic compiles the scenario's producers as the runner does (same
// seeds, generators, key choosers and schedules), measures each producer's
// record sizes and keys, and makes the records of the busiest seconds,
// up to budget records, for the per-record simulation.
func newTraffic(sc *scenarios.Scenario, budget int) (*traffic, error) {
	dur := sc.Duration.D()
	t := &traffic{
		seconds:  int(math.Ceil(dur.Seconds())),
		keyIndex: make(map[string]int32),
	}
	for i, pc := range sc.Producers {
		p, err := t.compileProducer(sc, i, pc)
		if err != nil {
			return nil, err
		}
		t.producers = append(t.producers, p)
		t.total += p.totalRecords
	}
	for _, c := range sc.Consumers {
		if c.Mode == scenarios.ConsumerEFO {
			t.efo++
			continue
		}
		poll := c.PollInterval.D()
		if poll <= 0 {
			poll = defaultPollInterval
		}
		t.polling++
		t.pollCallsPerShard += float64(time.Second) / float64(poll)
	}
	for _, p := range t.producers {
		t.sample(p, presample)
	}
	t.chooseWindows(budget)
	if err := t.makeWindowRecords(); err != nil {
		return nil, err
	}
	for _, p := range t.producers {
		p.finishStats(t)
	}
	return t, nil
}

// compileProducer builds producer i's generator, keys and schedule with the
// seeds the runner uses, and reads its schedule second by second.
func (t *traffic) compileProducer(sc *scenarios.Scenario, i int, pc scenarios.Producer) (*producerTraffic, error) {
	seed := runner.ProducerSeed(sc.Seed, i)
	tr, err := runner.CompileTraffic(sc, i)
	if err != nil {
		return nil, err
	}
	gen, keys, sched := tr.Generator, tr.Keys, tr.Schedule
	p := &producerTraffic{
		name: pc.Name, gen: gen, keyChooser: keys, sched: sched,
		due: make([]float64, t.seconds), peak: make([]float64, t.seconds),
		rng:      rand.New(rand.NewPCG(uint64(seed), 0x706c616e)), // "plan"
		keyCount: map[int32]float64{}, keyBytes: map[int32]float64{},
	}
	p.hashKeys, _ = keys.(generators.HashKeyer)
	if a := pc.Aggregation; a != nil {
		if p.aggSample, err = newAggSampler(a, int(sc.Target.MaxRecordSize)); err != nil {
			return nil, fmt.Errorf("producer %q: aggregation: %w", pc.Name, err)
		}
		p.aggLinger = a.Linger.D().Seconds()
	}
	for _, seg := range pc.Rate {
		p.poisson = p.poisson || seg.Arrivals == scenarios.ArrivalsPoisson
	}
	prev := 0.0
	for s := range t.seconds {
		at := time.Duration(s) * time.Second
		next := min(at+time.Second, sched.End())
		due := sched.Due(next)
		p.due[s] = due - prev
		prev = due
		// The rate may change inside a second (a spike's edge): the
		// highest of its ends and its mean stands for the second's peak.
		p.peak[s] = max(sched.Rate(at), sched.Rate(next-1), p.due[s])
		if p.peak[s] > p.peakRate {
			p.peakRate, p.peakAt = p.peak[s], s
		}
	}
	p.totalRecords = prev
	p.setSpecWeights(t, pc.PartitionKey)
	return p, nil
}

// setSpecWeights gives the exact key shares of the key-set choosers, whose
// key names generators documents; field keys are measured by sampling and
// random keys spread evenly over the hash key space. Explicit hash keys
// override them all: the records take the slots in turn, whatever their
// partition keys, so each slot has an equal share.
func (p *producerTraffic) setSpecWeights(t *traffic, spec scenarios.KeySpec) {
	if e := spec.ExplicitHash; e != nil {
		for _, k := range hashkey.EvenSlots(e.Slots) {
			w := 1 / float64(e.Slots)
			p.weights = append(p.weights, keyWeight{key: t.internRoute("", k.String()), records: w, bytes: w})
		}
		return
	}
	named := func(n int, share func(i int) float64) {
		for i := range n {
			p.weights = append(p.weights, keyWeight{key: t.intern(fmt.Sprintf("key-%d", i)), records: share(i)})
		}
	}
	switch {
	case spec.Random:
		p.random = true
	case spec.Uniform != nil:
		n := spec.Uniform.Keys
		named(n, func(int) float64 { return 1 / float64(n) })
	case spec.Zipf != nil:
		total := 0.0
		for i := range spec.Zipf.Keys {
			total += math.Pow(float64(i+1), -spec.Zipf.S)
		}
		named(spec.Zipf.Keys, func(i int) float64 { return math.Pow(float64(i+1), -spec.Zipf.S) / total })
	case spec.Hot != nil:
		n := spec.Hot.Keys
		if n == 0 {
			n = generators.DefaultHotKeys
		}
		p.weights = append(p.weights, keyWeight{key: t.intern(generators.HotKeyName), records: spec.Hot.Share})
		named(n, func(int) float64 { return (1 - spec.Hot.Share) / float64(n) })
	}
	for i := range p.weights {
		p.weights[i].bytes = p.weights[i].records // sizes do not depend on the key
	}
}

// intern returns the index of partition key key in the key table, adding it.
func (t *traffic) intern(key string) int32 { return t.internRoute(key, "") }

// internRoute returns the index of a record's route in the key table,
// adding it: its partition key, or its explicit hash key when set (which
// then alone decides the shard, as hashkey.Route does for the emulator).
func (t *traffic) internRoute(partitionKey, explicitHashKey string) int32 {
	name := partitionKey
	if explicitHashKey != "" {
		name, partitionKey = explicitKeyPrefix+explicitHashKey, ""
	}
	if i, ok := t.keyIndex[name]; ok {
		return i
	}
	hash, ok := hashkey.Route(partitionKey, explicitHashKey)
	if !ok { // generators only make valid keys; route as MD5 would
		hash = hashkey.FromPartitionKey(partitionKey)
	}
	i := int32(len(t.keys))
	t.keys = append(t.keys, keyInfo{name: name, hash: hash})
	t.keyIndex[name] = i
	return i
}

// explicitKeyPrefix names an explicit hash key in the key table (and in
// hot-key reports), apart from the partition keys.
const explicitKeyPrefix = "ExplicitHashKey "

// next makes p's next record and returns its size and key.
func (t *traffic) next(p *producerTraffic, buf []byte, at float64) ([]byte, int32, int32) {
	p.sampled++
	buf = p.gen.Next(buf[:0], generators.Meta{
		Producer: p.name,
		ID:       uint64(p.sampled),
		Intended: epoch.Add(time.Duration(at * float64(time.Second))),
	})
	name := p.keyChooser.Key()
	explicit := ""
	if p.hashKeys != nil {
		explicit = p.hashKeys.ExplicitHashKey()
	}
	key := t.internRoute(name, explicit)
	size := len(buf) + len(name)
	fs := float64(size)
	p.sampledBytes += fs
	p.sampledSq += fs * fs
	p.sampledPut += pricing.PutPayloadUnits(size)
	p.sampledKB += pricing.OnDemandUnits(size)
	if p.weights == nil && !p.random {
		p.keyCount[key]++
		p.keyBytes[key] += fs
	}
	return buf, int32(size), key
}

// sample makes n records of p to measure it before the windows are chosen.
func (t *traffic) sample(p *producerTraffic, n int) {
	var (
		buf []byte
		key int32
	)
	for range n {
		buf, _, key = t.next(p, buf, 0)
		if p.aggSample != nil {
			p.aggSample.add(t.keys[key].name, buf)
		}
	}
	p.meanBytes = p.sampledBytes / float64(p.sampled)
	if p.aggSample != nil {
		p.agg, p.aggSample = p.aggSample.model(p.aggLinger), nil
	}
}

// chooseWindows picks the seconds to simulate record by record: the
// busiest, by load relative to a shard's limits, until budget records.
func (t *traffic) chooseWindows(budget int) {
	t.windowAt = make([]int32, t.seconds)
	for s := range t.windowAt {
		t.windowAt[s] = -1
	}
	type second struct {
		s           int
		load, count float64
	}
	secs := make([]second, t.seconds)
	for s := range secs {
		secs[s].s = s
		for _, p := range t.producers {
			secs[s].count += p.due[s]
			secs[s].load += p.peak[s] * max(1.0/shardRecordsPerSecond, p.meanBytes/shardBytesPerSecond)
		}
	}
	slices.SortStableFunc(secs, func(a, b second) int { return cmp.Compare(b.load, a.load) })
	chosen := make([]bool, t.seconds)
	left := float64(budget)
	for _, sec := range secs {
		if sec.count+1 > left {
			break
		}
		left -= sec.count + 1
		chosen[sec.s] = true
	}
	for s := 0; s < t.seconds; {
		if !chosen[s] {
			s++
			continue
		}
		w := window{start: s}
		for s < t.seconds && chosen[s] {
			s++
		}
		w.end = s
		t.windowAt[w.start] = int32(len(t.windows))
		t.windows = append(t.windows, w)
	}
}

// makeWindowRecords places every producer's records of the windows along
// its schedule, makes them, and merges them in time order.
func (t *traffic) makeWindowRecords() error {
	var buf []byte
	for wi := range t.windows {
		w := &t.windows[wi]
		w.first = len(t.records)
		for pi, p := range t.producers {
			var dueGrid [gridCells + 1]float64
			target := math.NaN()
			for s := w.start; s < w.end; s++ {
				base := time.Duration(s) * time.Second
				for g := range dueGrid {
					at := base + time.Duration(g)*time.Second/gridCells
					dueGrid[g] = p.sched.Due(min(at, p.sched.End()))
				}
				if math.IsNaN(target) { // the window's first record of p
					target = math.Floor(dueGrid[0]+dueSlack) + 1
					if p.poisson {
						target = dueGrid[0] + p.rng.ExpFloat64()
					}
				}
				g := 0
				for target <= dueGrid[gridCells]+dueSlack {
					for g < gridCells-1 && dueGrid[g+1] < target {
						g++
					}
					frac := 0.0
					if d := dueGrid[g+1] - dueGrid[g]; d > 0 {
						frac = min(max((target-dueGrid[g])/d, 0), 1)
					}
					at := float64(s) + (float64(g)+frac)/gridCells
					var size, key int32
					buf, size, key = t.next(p, buf, at)
					t.records = append(t.records, record{at: at, size: size, key: key, producer: int32(pi)})
					if p.poisson {
						target += p.rng.ExpFloat64()
					} else {
						target++
					}
				}
			}
		}
		w.limit = len(t.records)
		slices.SortStableFunc(t.records[w.first:w.limit], func(a, b record) int { return cmp.Compare(a.at, b.at) })
	}
	return nil
}

// dueSlack forgives the rounding of Due's sums, as pacing does.
const dueSlack = 1e-6

// finishStats turns the sampled sums into means and field-key shares.
func (p *producerTraffic) finishStats(t *traffic) {
	n := float64(p.sampled)
	p.meanBytes = p.sampledBytes / n
	p.meanSq = p.sampledSq / n
	p.putUnits = p.sampledPut / n
	p.kbUnits = p.sampledKB / n
	if p.agg != nil {
		// Aggregates are metered, not user records: KPL's whole point for
		// PUT payload units (25 KB each) and on-demand's 1 KB rounding.
		p.putUnits, p.kbUnits = min(p.putUnits, p.agg.putUnits), min(p.kbUnits, p.agg.kbUnits)
	}
	if p.weights != nil || p.random {
		return
	}
	for key, count := range p.keyCount {
		p.weights = append(p.weights, keyWeight{key: key, records: count / n, bytes: p.keyBytes[key] / p.sampledBytes})
	}
	slices.SortFunc(p.weights, func(a, b keyWeight) int { return cmp.Compare(a.key, b.key) })
	p.keyCount, p.keyBytes = nil, nil
}
