package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// argSpec names a positional argument and says what it is.
type argSpec struct{ name, what string }

// exactArgs accepts exactly the arguments specs names and, when some are
// missing or too many are given, says what each one is (cobra's own
// message, "accepts 1 arg(s), received 0", does not).
func exactArgs(specs ...argSpec) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == len(specs) {
			return nil
		}
		var want []string
		for _, s := range specs {
			want = append(want, s.name+" ("+s.what+")")
		}
		if len(args) < len(specs) {
			return usageError("%s needs %s; see '%s --help'", cmd.Name(), strings.Join(want[len(args):], " and "), cmd.CommandPath())
		}
		return usageError("%s takes %d argument(s), %s; got %d: %s", cmd.Name(), len(specs), strings.Join(want, " and "), len(args), strings.Join(args, " "))
	}
}

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
