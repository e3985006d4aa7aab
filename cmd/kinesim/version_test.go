package main

import (
	"os/exec"
	"regexp"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDescribeVersion(t *testing.T) {
	stamped := func(main string, settings ...debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Version: main}, Settings: settings}
	}
	revision := debug.BuildSetting{Key: "vcs.revision", Value: "1a2b3c4d5e6f7a8b9c0d"}
	modified := debug.BuildSetting{Key: "vcs.modified", Value: "true"}
	tests := []struct {
		name, version string
		info          *debug.BuildInfo
		want          string
	}{
		// make build's -X main.version (git describe) wins: it names the commit.
		{"ldflags", "v1.2.0-3-g1a2b3c4-dirty", stamped("(devel)", revision), "v1.2.0-3-g1a2b3c4-dirty"},
		// A plain go build in a checkout: Go stamped the commit.
		{"vcs stamp", "dev", stamped("(devel)", revision), "dev (1a2b3c4d5e6f)"},
		// ...with uncommitted changes.
		{"vcs modified", "dev", stamped("(devel)", revision, modified), "dev (1a2b3c4d5e6f-dirty)"},
		// go install module@version: the module version.
		{"go install", "dev", stamped("v1.3.0"), "v1.3.0"},
		// -buildvcs=false and no ldflags: nothing names the commit.
		{"no vcs", "dev", stamped("(devel)"), "dev"},
		// No build info at all (a stripped test binary).
		{"no build info", "dev", nil, "dev"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, describeVersion(tt.version, tt.info), tt.name)
	}
}

// TestMakeStampsTheVersion: go run stamps no vcs.revision, so make's
// targets that build or run kinesim must name the commit with -X
// main.version, or every report of `make run` says version "dev".
func TestMakeStampsTheVersion(t *testing.T) {
	for _, target := range []string{"build", "run"} {
		out, err := exec.Command("make", "-n", "-C", "../..", target).CombinedOutput()
		require.NoError(t, err, "make -n %s: %s", target, out)
		m := regexp.MustCompile(`-X main\.version=(\S+?)"`).FindSubmatch(out)
		require.NotNil(t, m, "make %s passes -ldflags -X main.version: %s", target, out)
		assert.NotEqual(t, "dev", string(m[1]), "make %s names the commit", target)
	}
}
