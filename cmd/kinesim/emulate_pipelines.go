package main

import (
	"context"
	"sync/atomic"

	"github.com/kinesim/kinesim/chaos"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/emulated/server"
)

// applicationPlane is the served data plane of `kinesim emulate`: the
// emulator, or, while a --scenario runs, the emulator behind the faults the
// scenario moves onto its pipelines' applications (chaos.Injector.Application).
// Safe for concurrent use.
type applicationPlane struct {
	emu     *emulated.Emulator
	current atomic.Pointer[chaos.ApplicationAPI]
}

var _ server.DataPlane = (*applicationPlane)(nil)

// install routes the served calls through inj's application faults; nil
// routes them to the emulator again.
func (a *applicationPlane) install(inj *chaos.Injector) {
	if inj == nil {
		a.current.Store(nil)
		return
	}
	api := inj.Application(a.emu)
	a.current.Store(&api)
}

func (a *applicationPlane) api() chaos.ApplicationAPI {
	if p := a.current.Load(); p != nil {
		return *p
	}
	return a.emu
}

func (a *applicationPlane) PutRecords(ctx context.Context, in *stream.PutRecordsInput) (*stream.PutRecordsOutput, error) {
	return a.api().PutRecords(ctx, in)
}

func (a *applicationPlane) PutRecord(ctx context.Context, in *stream.PutRecordInput) (*stream.PutRecordOutput, error) {
	return a.api().PutRecord(ctx, in)
}

func (a *applicationPlane) GetShardIterator(ctx context.Context, in *stream.GetShardIteratorInput) (string, error) {
	return a.api().GetShardIterator(ctx, in)
}

func (a *applicationPlane) GetRecords(ctx context.Context, in *stream.GetRecordsInput) (*stream.GetRecordsOutput, error) {
	return a.api().GetRecords(ctx, in)
}
