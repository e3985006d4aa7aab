package main

import (
	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "kinesim",
		Short: "Simulate and load-test Amazon Kinesis-style data streams",
		Long: `kinesim runs scenario files: generators make bursty, realistic traffic, producers
send it to the built-in emulated stream (which enforces Kinesis's limits) or a real
Kinesis endpoint, and kinesim reports latency, throughput, throttling and loss.`,
		Version:       version,
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
		newGenerateCommand(),
		newEmulateCommand(),
	)
	return root
}
