package ledger

import (
	"compress/gzip"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
)

var update = flag.Bool("update", false, "rewrite testdata/*.verdicts.json from the ledger files")

// The reference verdicts: testdata/NAME.ledger.gz are full event logs
// (version 2 files, every acknowledgement and every delivery one by one)
// written by runs of the chaos scenarios: chaos-gauntlet (10 s),
// idempotency-check, lost acknowledgements with throttles and duplicate
// sends, a consumer starting at a time with a filter and a crash, and a
// drain too short for the backlog. NAME.verdicts.json are the verdicts the
// record-by-record ledger (16 bytes a record in memory, replaced by the
// compact one; see this file's first commit) judged from them. Every ledger since must judge the same, so
// these files are only rewritten (-update) when a verdict's definition
// changes on purpose.
func TestVerdictsMatchReference(t *testing.T) {
	logs, err := filepath.Glob("testdata/*.ledger.gz")
	require.NoError(t, err)
	require.NotEmpty(t, logs)
	for _, path := range logs {
		name := strings.TrimSuffix(filepath.Base(path), ".ledger.gz")
		t.Run(name, func(t *testing.T) {
			plain := gunzipTo(t, path)
			l, err := Load(plain)
			require.NoError(t, err)
			var got []result.ConsumerVerdict
			for _, c := range l.Consumers() {
				got = append(got, c.Verdict())
			}
			golden := filepath.Join("testdata", name+".verdicts.json")
			if *update {
				b, err := json.MarshalIndent(got, "", "  ")
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(golden, append(b, '\n'), 0o644))
			}
			b, err := os.ReadFile(golden)
			require.NoError(t, err)
			var want []result.ConsumerVerdict
			require.NoError(t, json.Unmarshal(b, &want))
			assert.Equal(t, want, got, "every consumer's verdict as the reference ledger judged it")

			// The same events through a ledger that writes the compact file,
			// and that file read back.
			compact := filepath.Join(t.TempDir(), "compact.bin")
			w, err := Create(compact)
			require.NoError(t, err)
			require.NoError(t, w.load(plain))
			require.NoError(t, w.Close())
			back, err := Load(compact)
			require.NoError(t, err)
			got = nil
			for _, c := range back.Consumers() {
				got = append(got, c.Verdict())
			}
			assert.Equal(t, want, got, "the compact file judges as the reference ledger did")
			full, compactSize := fileSize(t, plain), fileSize(t, compact)
			t.Logf("%s: %d bytes record by record, %d compact", name, full, compactSize)
			assert.Less(t, compactSize*2, full, "the compact file is a fraction of the full log")
		})
	}
}

// gunzipTo unpacks a gzipped ledger file into the test's temporary folder.
func gunzipTo(t *testing.T, path string) string {
	t.Helper()
	in, err := os.Open(path)
	require.NoError(t, err)
	defer in.Close()
	zr, err := gzip.NewReader(in)
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), FileName)
	f, err := os.Create(out)
	require.NoError(t, err)
	_, err = io.Copy(f, zr)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	return out
}
