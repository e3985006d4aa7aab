package main

import (
	"github.com/spf13/cobra"
)

// notYetImplemented lists the CLI contract's commands whose issues have not
// landed yet; each exits 2 saying so.
func notYetImplemented() []*cobra.Command {
	planned := []struct{ use, short, issue string }{
	}
	var cmds []*cobra.Command
	for _, p := range planned {
		cmds = append(cmds, &cobra.Command{
			Use:                p.use,
			Short:              p.short + " (not yet implemented)",
			DisableFlagParsing: true,
			RunE: func(cmd *cobra.Command, args []string) error {
				return usageError("%s: not yet implemented (issue %s)", cmd.Name(), p.issue)
			},
		})
	}
	return cmds
}
