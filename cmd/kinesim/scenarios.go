package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kinesim/kinesim/scenarios"
)

func newScenariosCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "scenarios [NAME]",
		Short: "List the built-in scenarios, or print one",
		Example: `  kinesim scenarios
  kinesim scenarios bike-rush-hour > my-scenario.yaml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if len(args) == 1 {
				src, err := scenarios.BuiltinSource(args[0])
				if err != nil {
					return usageError("%v", err)
				}
				_, err = out.Write(src)
				return err
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			for _, info := range scenarios.Builtins() {
				fmt.Fprintf(tw, "%s\t%s\n", info.Name, info.Description)
			}
			return tw.Flush()
		},
	}
}
