package server

import (
	"context"
	"time"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

// emulatorTarget is the emulator with its stream lifecycle and retention
// going through the server, so that what the server keeps (mode, tags,
// retention hours) stays true while a run in the same process writes to the
// served streams directly.
type emulatorTarget struct {
	*emulated.Emulator
	server *Server
}

// Compile-time checks: the served emulator keeps every optional interface.
var (
	_ stream.Target          = emulatorTarget{}
	_ stream.Resharder       = emulatorTarget{}
	_ stream.SingleWriter    = emulatorTarget{}
	_ stream.RetentionSetter = emulatorTarget{}
)

// Target returns the served emulator as a stream.Target for in-process use
// (a run's producers next to external consumers): data-plane calls go to the
// emulator directly, CreateStream, DeleteStream and SetRetentionPeriod
// through the server. Safe for concurrent use.
func (s *Server) Target() stream.Target { return emulatorTarget{s.emu, s} }

func (t emulatorTarget) CreateStream(ctx context.Context, in *stream.CreateStreamInput) error {
	return t.server.CreateStream(ctx, in)
}

func (t emulatorTarget) DeleteStream(ctx context.Context, name string) error {
	return t.server.DeleteStream(ctx, name)
}

func (t emulatorTarget) SetRetentionPeriod(ctx context.Context, name string, period time.Duration) error {
	return t.server.SetRetentionPeriod(ctx, name, period)
}
