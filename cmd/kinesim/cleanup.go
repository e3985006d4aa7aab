package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/kinesis"
)

func newCleanupCommand() *cobra.Command {
	var (
		endpoint, region, profile string
		dryRun, yes               bool
	)
	cmd := &cobra.Command{
		Use:   "cleanup",
		Short: "Delete the Kinesis streams kinesim created that a crashed run left behind",
		Long: `Find the streams tagged kinesim-run-id (every stream kinesim creates carries the
tag) on the endpoint and delete them. Streams kinesim did not create are never
touched. --dry-run only lists them. On Amazon Kinesis itself (no --endpoint)
deleting needs --yes.`,
		Example: `  kinesim cleanup --endpoint http://127.0.0.1:4567 --dry-run
  kinesim cleanup --region eu-west-1 --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var opts []kinesis.Option
			if endpoint != "" {
				opts = append(opts, kinesis.WithEndpoint(endpoint))
			}
			if region != "" {
				opts = append(opts, kinesis.WithRegion(region))
			}
			if profile != "" {
				opts = append(opts, kinesis.WithProfile(profile))
			}
			ctx := cmd.Context()
			tg, err := kinesis.New(ctx, opts...)
			if err != nil {
				return usageError("%w", err)
			}
			names, err := tg.StreamsTagged(ctx, stream.TagRunID, "")
			if err != nil {
				return failure(fmt.Errorf("list streams at %s: %w", tg.Describe(), err))
			}
			out := cmd.OutOrStdout()
			if len(names) == 0 {
				fmt.Fprintf(out, "no kinesim streams at %s\n", tg.Describe())
				return nil
			}
			if dryRun {
				for _, n := range names {
					fmt.Fprintf(out, "would delete %s\n", n)
				}
				return nil
			}
			if tg.IsAWS() && !yes {
				return usageError("%d kinesim stream(s) on Amazon Kinesis (%s); delete them with --yes, or list them with --dry-run", len(names), tg.Describe())
			}
			for _, n := range names {
				if err := tg.DeleteStream(ctx, n); err != nil {
					return failure(fmt.Errorf("delete %s: %w", n, err))
				}
				fmt.Fprintf(out, "deleted %s\n", n)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&endpoint, "endpoint", "", "Kinesis endpoint URL (a Kinesis-compatible server)")
	fl.StringVar(&region, "region", "", "AWS region")
	fl.StringVar(&profile, "profile", "", "AWS shared-config profile")
	fl.BoolVar(&dryRun, "dry-run", false, "list the streams without deleting them")
	fl.BoolVar(&yes, "yes", false, "confirm deleting on Amazon Kinesis itself")
	return cmd
}
