package main

import (
	"bufio"
	"os"
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
			cmds = append(cmds, strings.Fields(line)[1:])
		}
	}
	require.NoError(t, sc.Err())
	return cmds
}

// TestReadmeExamples runs every kinesim command the README shows; runs are
// shortened to two seconds and write to a temporary folder.
func TestReadmeExamples(t *testing.T) {
	cmds := readmeCommands(t)
	require.NotEmpty(t, cmds, "the README shows kinesim commands")
	for _, args := range cmds {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if args[0] == "run" {
				// Later flags win: shorten the run and keep it out of the tree.
				args = append(args, "--duration", "2s", "--out", t.TempDir(), "--quiet")
			}
			code, stdout, stderr := kinesim(t, args...)
			assert.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		})
	}
}
