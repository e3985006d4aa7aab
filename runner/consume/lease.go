package consume

import "sync"

// leaseTable is a consumer application's lease table, as KCL keeps one in
// DynamoDB: which worker holds each shard's lease, and how often each lease
// changed hands. The workers of one application share it; it is safe for
// concurrent use. Checkpoints live in the CheckpointStore beside it.
type leaseTable struct {
	workers int

	mu      sync.Mutex
	owner   map[string]int // worker index, by shard
	counter map[string]int // lease counter: grants and moves, by shard
	next    int
}

func newLeaseTable(workers int) *leaseTable {
	return &leaseTable{workers: max(workers, 1), owner: map[string]int{}, counter: map[string]int{}}
}

// acquire gives the shard's lease to a worker, spreading new leases over
// the workers in turn; a lease already held stays with its owner.
func (t *leaseTable) acquire(shardID string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if w, ok := t.owner[shardID]; ok {
		return w
	}
	w := t.next % t.workers
	t.next++
	t.owner[shardID] = w
	t.counter[shardID]++
	return w
}

// move hands the shard's lease to the next worker.
func (t *leaseTable) move(shardID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.owner[shardID] = (t.owner[shardID] + 1) % t.workers
	t.counter[shardID]++
}
