package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/stream/kinesis"
)

// docAddr is the address docs/emulate.md's commands name; the test's
// emulator listens on a free port instead.
const docAddr = "http://127.0.0.1:4567"

// TestEmulateWalkthrough runs docs/emulate.md's walk-through as written
// (the binary against a real `kinesim emulate` on loopback): the emulator
// started with the doc's stream, the AWS CLI pointed at it by the line
// the emulator prints, and `kinesim run` producing into the served stream,
// which it finds already there and uses.
func TestEmulateWalkthrough(t *testing.T) {
	data, err := os.ReadFile("../../docs/emulate.md")
	require.NoError(t, err)
	doc := string(data)
	const (
		start = "kinesim emulate --stream smartcity-bikes --shards 4"
		run   = "kinesim run bike-rush-hour --endpoint " + docAddr + " --out runs/emulated-1"
	)
	require.Contains(t, doc, start, "the doc starts the emulator so")
	require.Contains(t, doc, run, "the doc runs traffic so")

	p := startEmulateProcess(t, strings.Fields(start)[2:]...)
	exports := p.waitFor(t, "point a client at it:")
	exports = strings.TrimSpace(strings.SplitN(exports, ":", 2)[1])
	require.True(t, strings.HasPrefix(exports, "export "), "the emulator prints an export line: %q", exports)

	t.Run("AWS CLI", func(t *testing.T) {
		if _, err := exec.LookPath("aws"); err != nil {
			t.Skip("the AWS CLI is not installed: the doc's aws commands are not run")
		}
		script := docBlockAfter(t, doc, "With the AWS CLI")
		cmd := exec.Command("bash", "-e", "-c", exports+"\n"+script)
		cmd.Dir = t.TempDir()
		// Only what the doc and the emulator's line set: no region, profile
		// or config of the machine's.
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + cmd.Dir, "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
			"AWS_CONFIG_FILE=" + filepath.Join(cmd.Dir, "none"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(cmd.Dir, "none")}
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "the doc's AWS CLI commands with the emulator's exports:\n%s", out)
		assert.Contains(t, string(out), "smartcity-bikes", "list-streams lists the stream")
		assert.Contains(t, string(out), `"ShardIterator"`, "get-shard-iterator answers")
	})

	t.Run("kinesim run", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "emulated-1")
		args := strings.Fields(strings.NewReplacer(docAddr, p.endpoint, "runs/emulated-1", out).Replace(run))[1:]
		// Shortened: the walk-through is about reaching the stream, not the
		// 2 minutes, nor the latency threshold (the machine is shared).
		code, stdout, stderr := kinesim(t, append(args, "--duration", "3s", "--quiet", "--no-thresholds")...)
		require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		assert.Contains(t, stdout, "the stream was already there: used as it was", "the summary says the stream was found, not made")
		res, err := result.Read(filepath.Join(out, "result.json"))
		require.NoError(t, err)
		assert.Equal(t, []string{"smartcity-bikes"}, res.Target.ExistingStreams, "result.json names the stream found")

		tg, err := kinesis.New(t.Context(), kinesis.WithEndpoint(p.endpoint), kinesis.WithRegion("us-east-1"),
			kinesis.WithStaticCredentials("local", "local", ""))
		require.NoError(t, err)
		shards, err := tg.ListShards(t.Context(), "smartcity-bikes")
		require.NoError(t, err, "the run leaves the stream it did not create")
		assert.Len(t, shards, 4)
	})

	t.Run("another shape", func(t *testing.T) {
		code, _, stderr := kinesim(t, "run", "bike-rush-hour", "--endpoint", p.endpoint, "--shards", "2",
			"--duration", "1s", "--quiet", "--out", t.TempDir())
		assert.Equal(t, exitFailure, code, "stderr: %s", stderr)
		assert.Contains(t, stderr, `stream "smartcity-bikes" already exists with 4 open shards, PROVISIONED, and the scenario asks for 2 open shards, PROVISIONED`)
		assert.Contains(t, stderr, "target.existing: true")
	})
}

// docBlockAfter returns the first ```sh block after the text marker.
func docBlockAfter(t *testing.T, doc, marker string) string {
	t.Helper()
	i := strings.Index(doc, marker)
	require.GreaterOrEqual(t, i, 0, "the doc has %q", marker)
	m := regexp.MustCompile("(?s)```sh\n(.*?)```").FindStringSubmatch(doc[i:])
	require.NotNil(t, m, "a sh block after %q", marker)
	return m[1]
}
