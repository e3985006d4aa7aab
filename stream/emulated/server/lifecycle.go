package server

import (
	"context"
	"errors"
	"time"

	"github.com/kinesim/kinesim/stream"
)

// Stream lifecycle, as Kinesis shows it: CreateStream answers at once and
// the stream is CREATING (not yet on the emulator, so data calls get
// ResourceNotFoundException, as Kinesis answers them) until the create
// delay has passed; DeleteStream removes the stream from the emulator at
// once (its records are gone) and shows it DELETING for the delete delay;
// a reshard shows it UPDATING while the emulator's reshard delay runs.
// Control calls that change shards or retention need an ACTIVE stream
// (ResourceInUseException otherwise). The delays run on the wall clock.

// lifecycle is a stream's state beside UPDATING, which counts reshards.
type lifecycle int

const (
	stateActive lifecycle = iota
	stateCreating
	stateDeleting
)

// WithCreateDelay keeps a stream made by the CreateStream operation
// CREATING for d before it is ACTIVE. Default: 0 (ACTIVE at once). Kinesis
// takes seconds; Server.CreateStream, a Go call, is never delayed.
func WithCreateDelay(d time.Duration) Option {
	return func(o *options) { o.createDelay = max(d, 0) }
}

// WithDeleteDelay shows a stream deleted by the DeleteStream operation as
// DELETING for d before it is gone from listings and descriptions. Its
// records are gone at once. Default: 0.
func WithDeleteDelay(d time.Duration) Option {
	return func(o *options) { o.deleteDelay = max(d, 0) }
}

// createAfterDelay records a CREATING stream and creates it on the emulator
// when the create delay has passed. Tags are kept from the start.
func (s *Server) createAfterDelay(in *stream.CreateStreamInput) {
	mode := in.Mode
	if mode == "" {
		mode = stream.ModeProvisioned
	}
	s.mu.Lock()
	m := s.newMeta(in.StreamName, mode)
	m.state = stateCreating
	for k, v := range in.Tags {
		m.tags[k] = v
	}
	s.streams[in.StreamName] = m
	s.mu.Unlock()
	time.AfterFunc(s.opts.createDelay, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.streams[in.StreamName] != m || m.state != stateCreating {
			return // deleted while CREATING
		}
		if err := s.emu.CreateStream(context.Background(), in); err != nil {
			s.opts.log.Info("a CREATING stream could not be created", "stream", in.StreamName, "error", err)
			delete(s.streams, in.StreamName)
			return
		}
		m.state = stateActive
	})
}

// deleteStreamOp serves DeleteStream: the stream leaves the emulator now
// and shows DELETING for the delete delay.
func (s *Server) deleteStreamOp(ctx context.Context, name string) error {
	s.mu.Lock()
	m := s.streams[name]
	pending := m != nil && m.state != stateActive
	if pending {
		// A CREATING stream is not on the emulator yet; a DELETING one no
		// longer is.
		m.state = stateDeleting
	}
	s.mu.Unlock()
	if !pending {
		if err := s.emu.DeleteStream(ctx, name); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m = s.streams[name]
	if m == nil || s.opts.deleteDelay == 0 {
		delete(s.streams, name)
		return nil
	}
	m.state = stateDeleting
	time.AfterFunc(s.opts.deleteDelay, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.streams[name] == m {
			delete(s.streams, name)
		}
	})
	return nil
}

// activeMeta is meta for calls that need an ACTIVE stream: one CREATING,
// DELETING or UPDATING gets Kinesis's ResourceInUseException.
func (s *Server) activeMeta(ctx context.Context, name string) (*streamMeta, []stream.Shard, error) {
	m, shards, err := s.meta(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	status := m.status()
	s.mu.Unlock()
	if status != "ACTIVE" {
		return nil, nil, stream.Errorf(stream.CodeInUse, "Stream %s under account %s not ACTIVE, instead in state %s", name, account, status)
	}
	return m, shards, nil
}

// existsAlready answers CreateStream for a name the server holds in any
// state, as Kinesis does (the emulator says the same for ACTIVE ones).
func (s *Server) existsAlready(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.streams[name]; m != nil && m.state != stateActive {
		return stream.Errorf(stream.CodeInUse, "Stream %s under account %s already exists.", name, account)
	}
	return nil
}

// isNotFound reports whether err is the emulator's ResourceNotFoundException.
func isNotFound(err error) bool { return errors.Is(err, stream.ErrNotFound) }
