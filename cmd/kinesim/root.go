package main

import (
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=..."; make
// build sets it from git describe --always --dirty.
var version = "dev"

// kinesimVersion is the version --version prints and result.json keeps.
func kinesimVersion() string {
	info, _ := debug.ReadBuildInfo()
	return describeVersion(version, info)
}

// describeVersion is version when the build set one (make build's git
// describe names the commit); otherwise the module version, if any, with
// the commit Go stamped into the binary (vcs.revision, "-dirty" when
// vcs.modified). Builds with -buildvcs=false (as GOFLAGS may say) stamp no
// commit: then only make build's -X main.version knows it.
func describeVersion(version string, info *debug.BuildInfo) string {
	if version != "" && version != "dev" {
		return version
	}
	out := "dev"
	if info == nil {
		return out
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		out = v
	}
	var revision, dirty string
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision":
			revision = s.Value[:min(len(s.Value), 12)]
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "-dirty"
		}
	}
	if revision != "" {
		out += " (" + revision + dirty + ")"
	}
	return out
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "kinesim",
		Short: "Simulate and load-test Amazon Kinesis-style data streams",
		Long: `kinesim runs scenario files: generators make bursty, realistic traffic, producers
send it to the built-in emulated stream (which enforces Kinesis's limits) or a real
Kinesis endpoint, and kinesim reports latency, throughput, throttling and loss.`,
		Version:       kinesimVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newRunCommand(),
		newValidateCommand(),
		newScenariosCommand(),
		newPlanCommand(),
		newReportCommand(),
		newCompareCommand(),
		newVerifyCommand(),
		newCleanupCommand(),
		newMergeCommand(),
		newK8sCommand(),
		newGenerateCommand(),
		newEmulateCommand(),
	)
	return root
}
