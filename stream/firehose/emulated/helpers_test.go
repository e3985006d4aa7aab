package emulated_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/stream/delivery"
	"github.com/kinesim/kinesim/stream/firehose/emulated"
)

var epoch = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// objects collects what an emulator's observer sees.
type objects struct {
	mu   sync.Mutex
	list []emulated.Object
}

func (o *objects) observe(obj emulated.Object) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.list = append(o.list, obj)
}

// sorted returns the objects in order of first arrival, then key.
func (o *objects) sorted() []emulated.Object {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := append([]emulated.Object(nil), o.list...)
	sort.Slice(out, func(i, j int) bool {
		if !out[i].FirstArrival.Equal(out[j].FirstArrival) {
			return out[i].FirstArrival.Before(out[j].FirstArrival)
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// newVirtual returns an emulator on a virtual clock writing under a
// temporary folder, and the observed objects.
func newVirtual(t *testing.T, opts ...emulated.Option) (*emulated.Emulator, *clock.Virtual, *objects, string) {
	t.Helper()
	v := clock.NewVirtual(epoch)
	seen := &objects{}
	root := t.TempDir()
	opts = append([]emulated.Option{emulated.WithClock(v), emulated.WithObserver(seen.observe)}, opts...)
	return emulated.New(root, opts...), v, seen, root
}

func create(t *testing.T, e *emulated.Emulator, cfg delivery.Config) {
	t.Helper()
	if cfg.BucketARN == "" {
		cfg.BucketARN = delivery.BucketARN("bucket")
	}
	require.NoError(t, e.CreateDeliveryStream(context.Background(), cfg), "CreateDeliveryStream(%s)", cfg.Name)
}

// idRecords makes n newline-free records carrying ids from..from+n-1.
func idRecords(from, n int) []delivery.Record {
	rs := make([]delivery.Record, n)
	for i := range rs {
		rs[i].Data = fmt.Appendf(nil, `{"id":%d}`, from+i)
	}
	return rs
}

// readLines reads every object file under root (skipping the error output
// prefix unless withErrors) as newline-delimited records.
func readLines(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		require.False(t, strings.HasPrefix(d.Name(), "."), "a temporary file %s is left behind", path)
		f, err := os.Open(path)
		require.NoError(t, err)
		defer f.Close()
		var r io.Reader = f
		if strings.HasSuffix(path, ".gz") {
			zr, err := gzip.NewReader(f)
			require.NoError(t, err, "object %s is not gzip", path)
			r = zr
		}
		body, err := io.ReadAll(r)
		require.NoError(t, err)
		rel, _ := filepath.Rel(root, path)
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(nil, 1<<20)
		lines := []string{}
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		out[filepath.ToSlash(rel)] = lines
		return nil
	})
	require.NoError(t, err)
	return out
}

func put(t *testing.T, e *emulated.Emulator, name string, rs []delivery.Record) *delivery.PutRecordBatchOutput {
	t.Helper()
	out, err := e.PutRecordBatch(context.Background(), &delivery.PutRecordBatchInput{DeliveryStreamName: name, Records: rs})
	require.NoError(t, err)
	return out
}
