package consume

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// ShardEnd is the checkpoint of a shard read to its end (KCL's SHARD_END):
// its children may be read.
const ShardEnd = "SHARD_END"

// CheckpointStore keeps each consumer's progress per shard: the sequence
// number of the last record processed, or ShardEnd. Implementations are
// safe for concurrent use.
type CheckpointStore interface {
	// Checkpoint returns the shard's checkpoint, "" when there is none.
	Checkpoint(ctx context.Context, shardID string) (string, error)
	// SaveCheckpoint sets the shard's checkpoint.
	SaveCheckpoint(ctx context.Context, shardID, seq string) error
}

var (
	_ CheckpointStore = (*MemoryCheckpoints)(nil)
	_ CheckpointStore = (*FileCheckpoints)(nil)
)

// MemoryCheckpoints is a CheckpointStore in memory. The zero value is ready.
type MemoryCheckpoints struct {
	mu sync.Mutex
	m  map[string]string
}

// Checkpoint returns the shard's checkpoint.
func (s *MemoryCheckpoints) Checkpoint(_ context.Context, shardID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[shardID], nil
}

// SaveCheckpoint sets the shard's checkpoint.
func (s *MemoryCheckpoints) SaveCheckpoint(_ context.Context, shardID, seq string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[shardID] = seq
	return nil
}

// FileCheckpoints is a CheckpointStore in a JSON file (shard id →
// checkpoint), rewritten atomically on every save, so it survives a crash.
type FileCheckpoints struct {
	path string
	mem  MemoryCheckpoints
	mu   sync.Mutex // serializes file writes
}

// OpenFileCheckpoints opens (or starts) the store at path.
func OpenFileCheckpoints(path string) (*FileCheckpoints, error) {
	s := &FileCheckpoints{path: path}
	data, err := os.ReadFile(path)
	switch {
	case os.IsNotExist(err):
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	if err := json.Unmarshal(data, &s.mem.m); err != nil {
		return nil, fmt.Errorf("checkpoints: %s: %w", path, err)
	}
	return s, nil
}

// Checkpoint returns the shard's checkpoint.
func (s *FileCheckpoints) Checkpoint(ctx context.Context, shardID string) (string, error) {
	return s.mem.Checkpoint(ctx, shardID)
}

// SaveCheckpoint sets the shard's checkpoint and rewrites the file.
func (s *FileCheckpoints) SaveCheckpoint(ctx context.Context, shardID, seq string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.mem.SaveCheckpoint(ctx, shardID, seq)
	s.mem.mu.Lock()
	data, err := json.MarshalIndent(s.mem.m, "", "  ")
	s.mem.mu.Unlock()
	if err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(s.path), "."+filepath.Base(s.path)+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("checkpoints: %w", err)
	}
	return os.Rename(tmp, s.path)
}
