package metrics

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// spool is where one of the recorder's per-second files goes: a buffer in
// memory until the run attaches a file (the run folder's latency.hlog or
// series.jsonl), then that file, with what the buffer held copied to its
// head. A recorder whose run attaches its files holds neither in memory;
// one without (a test, a short measurement) keeps them in memory, and can
// still downsample its series. Callers serialise access (Recorder.mu).
type spool struct {
	name string
	mem  *bytes.Buffer
	f    *os.File
	path string
	buf  *bufio.Writer
	err  error
}

func newSpool(name string) *spool {
	mem := &bytes.Buffer{}
	return &spool{name: name, mem: mem, buf: bufio.NewWriter(mem)}
}

// Write buffers p; the first write error is kept (and returned by close)
// so that a full disk never stops the run.
func (s *spool) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.buf.Write(p)
	if err != nil {
		s.err = fmt.Errorf("%s: %w", s.name, err)
	}
	return n, err
}

// attach moves the spool to a new file at path.
func (s *spool) attach(path string) error {
	if s.f != nil {
		return fmt.Errorf("%s: already written to %s", s.name, s.path)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	if err := s.buf.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", s.name, err)
	}
	if _, err := f.Write(s.mem.Bytes()); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", s.name, err)
	}
	s.f, s.path, s.mem = f, path, nil
	s.buf = bufio.NewWriterSize(f, 64<<10)
	return nil
}

// reader flushes what was written and opens it for reading from the start.
func (s *spool) reader() (io.ReadCloser, error) {
	if err := s.buf.Flush(); err != nil && s.err == nil {
		s.err = fmt.Errorf("%s: %w", s.name, err)
	}
	if s.err != nil {
		return nil, s.err
	}
	if s.f == nil {
		return io.NopCloser(bytes.NewReader(s.mem.Bytes())), nil
	}
	return os.Open(s.path)
}

// close flushes and closes the file, if any, and returns the first error met.
func (s *spool) close() error {
	err := s.buf.Flush()
	if s.f != nil {
		err = errors.Join(err, s.f.Close())
		s.f = nil
	}
	if s.err != nil {
		return s.err
	}
	if err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	return nil
}
