package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kinesim/kinesim/scenarios"
)

func newValidateCommand() *cobra.Command {
	var schema bool
	cmd := &cobra.Command{
		Use:   "validate SCENARIO",
		Short: "Check a scenario file (or built-in name) without running it",
		Long: `Check a scenario strictly: unknown fields, bad durations, rates and sizes, and
impossible limits are reported with file:line:column, the field, and what is
allowed. Exit code 2 when the scenario is invalid.
--schema prints the JSON Schema of the scenario format, for editors.`,
		Example: `  kinesim validate scenarios/bike-rush-hour.yaml
  kinesim validate --schema > kinesim.schema.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if schema {
				return cobra.NoArgs(cmd, args)
			}
			return scenarioArg(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if schema {
				_, err := cmd.OutOrStdout().Write(scenarios.Schema())
				return err
			}
			sc, err := loadScenario(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: valid scenario %q (%d producer(s), %s, %s target with %d shard(s))\n",
				sc.File, sc.Name, len(sc.Producers), sc.Duration.D(), sc.Target.Kind, sc.Target.Shards)
			return nil
		},
	}
	cmd.Flags().BoolVar(&schema, "schema", false, "print the scenario format's JSON Schema")
	return cmd
}
