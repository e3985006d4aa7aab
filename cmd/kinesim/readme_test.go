package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeCommands returns the `kinesim ...` lines of the README's sh blocks,
// without their trailing comments.
func readmeCommands(t *testing.T) [][]string {
	t.Helper()
	f, err := os.Open("../../README.md")
	require.NoError(t, err)
	defer f.Close()
	var (
		cmds  [][]string
		inSh  bool
		sc    = bufio.NewScanner(f)
		fence = "```"
	)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == fence+"sh":
			inSh = true
		case strings.HasPrefix(line, fence):
			inSh = false
		case inSh && strings.HasPrefix(line, "kinesim "):
			if i := strings.Index(line, " #"); i >= 0 {
				line = line[:i]
			}
			// `|| test $? -eq 99` documents an expected exit code.
			if i := strings.Index(line, " ||"); i >= 0 {
				line = line[:i]
			}
			cmds = append(cmds, strings.Fields(line)[1:])
		}
	}
	require.NoError(t, sc.Err())
	return cmds
}

// expectsFailure lists the README examples that exit 99 on purpose.
var expectsFailure = map[string]bool{"run idempotency-check": true}

// TestReadmeExamples runs every kinesim command the README shows; runs are
// shortened to two seconds and write to a temporary folder.
func TestReadmeExamples(t *testing.T) {
	cmds := readmeCommands(t)
	require.NotEmpty(t, cmds, "the README shows kinesim commands")
	for _, args := range cmds {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			want := 0
			if len(args) > 1 && expectsFailure[args[0]+" "+args[1]] {
				want = 99
			}
			switch {
			case args[0] == "run" && want == 0:
				// Later flags win: shorten the run and keep it out of the tree.
				args = append(args, "--duration", "2s", "--out", t.TempDir(), "--quiet")
			case args[0] == "run":
				// Runs that fail on purpose need their whole scenario.
				args = append(args, "--out", t.TempDir())
			case args[0] == "plan":
				// The measured runs around the peak are the slow part.
				args = append(args, "--out", t.TempDir(), "--measure-window", "10s")
			}
			code, stdout, stderr := kinesim(t, args...)
			assert.Equal(t, want, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		})
	}
}

// TestReadmeScenariosValidate checks every full scenario the README shows
// (a yaml block with a name and producers) with kinesim validate.
func TestReadmeScenariosValidate(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	blocks := strings.Split(string(data), "```yaml\n")[1:]
	checked := 0
	for i, block := range blocks {
		body, _, _ := strings.Cut(block, "```")
		if !strings.HasPrefix(body, "name:") || !strings.Contains(body, "\nproducers:") {
			continue
		}
		path := filepath.Join(t.TempDir(), fmt.Sprintf("readme-%d.yaml", i))
		require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
		code, stdout, stderr := kinesim(t, "validate", path)
		assert.Equal(t, 0, code, "README scenario %d:\n%s\n%s%s", i, body, stdout, stderr)
		checked++
	}
	assert.Positive(t, checked, "the README shows a scenario")
}
