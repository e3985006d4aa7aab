package main

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
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
