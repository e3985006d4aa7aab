package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kinesim/kinesim/reports"
	"github.com/kinesim/kinesim/runner/ledger"
)

func newVerifyCommand() *cobra.Command {
	var (
		runDir, consumed, expect string
		asJSON                   bool
	)
	cmd := &cobra.Command{
		Use:   "verify --ledger RUN_DIR --consumed FILE",
		Short: "Check a consumer's output against the run's ledger",
		Long: `Compare what an external consumer processed with what the run acknowledged.
FILE has one JSON object per line, in processing order:
  {"record_id": "bikes-42", "shard_id": "shardId-000000000001", "sequence_number": "4959..."}
record_id is required (the kinesim_id every generated record carries); shard_id,
sequence_number and partition_key are optional, and with sequence numbers the
order per partition key is checked. Reported: lost (acknowledged, never
processed), duplicate deliveries, duplicate effects (records processed more
than once), reordered, delivered but never acknowledged, unknown ids.
Exit code 99 when a count is over --expect.`,
		Example: `  kinesim verify --ledger runs/bike-rush-hour-20260304T080000Z --consumed processed.jsonl
  kinesim verify --ledger RUN --consumed out.jsonl --expect lost=0,duplicate_effects=5 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runDir == "" || consumed == "" {
				return usageError("verify needs --ledger RUN_DIR and --consumed FILE")
			}
			limits, err := parseExpect(expect)
			if err != nil {
				return usageError("--expect: %v", err)
			}
			led, err := ledger.Load(filepath.Join(runDir, ledger.FileName))
			if err != nil {
				return failure(err)
			}
			f, err := os.Open(consumed)
			if err != nil {
				return failure(err)
			}
			defer f.Close()
			c := led.Consumer("external")
			if err := ledger.ReadConsumed(f, c); err != nil {
				return usageError("%s: %v", consumed, err)
			}
			verdict := c.Verdict()
			verdict.Judge(limits)
			v := &reports.Verification{Passed: verdict.Passed, Consumers: []reports.ConsumerVerdict{verdict}}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				err = enc.Encode(v)
			} else {
				err = reports.WriteVerification(out, v)
			}
			if err != nil {
				return failure(err)
			}
			if !v.Passed {
				return &exitError{code: exitThreshold, err: fmt.Errorf("verification failed: %s", strings.Join(verdict.Failures, ", "))}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&runDir, "ledger", "", "the run folder holding "+ledger.FileName)
	fl.StringVar(&consumed, "consumed", "", "the consumer's JSON-lines output")
	fl.StringVar(&expect, "expect", "lost=0,duplicate_effects=0", "most of each count allowed, NAME=N,... (names: "+strings.Join(reports.VerdictNames(), ", ")+")")
	fl.BoolVar(&asJSON, "json", false, "print the verdict as JSON")
	return cmd
}

// parseExpect parses NAME=N,NAME=N.
func parseExpect(s string) (map[string]int64, error) {
	out := map[string]int64{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.ParseInt(val, 10, 64)
		known := false
		for _, k := range reports.VerdictNames() {
			known = known || k == name
		}
		if !ok || err != nil || n < 0 || !known {
			return nil, fmt.Errorf("%q: want NAME=N with N >= 0 and NAME one of %s", part, strings.Join(reports.VerdictNames(), ", "))
		}
		out[name] = n
	}
	return out, nil
}
