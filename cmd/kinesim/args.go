package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// scenarioArg accepts exactly one SCENARIO argument and says what it is
// when it is missing.
func scenarioArg(cmd *cobra.Command, args []string) error {
	switch len(args) {
	case 1:
		return nil
	case 0:
		return usageError("%s needs a SCENARIO: a scenario file, or a built-in name from 'kinesim scenarios' (e.g. %s bike-rush-hour)",
			cmd.Name(), cmd.CommandPath())
	}
	return usageError("%s takes one SCENARIO, got %d: %s", cmd.Name(), len(args), strings.Join(args, " "))
}
