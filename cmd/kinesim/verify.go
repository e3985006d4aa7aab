package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/reports"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/scenarios"
)

func newVerifyCommand() *cobra.Command {
	var (
		runDir, consumed, expect string
		asJSON                   bool
	)
	cmd := &cobra.Command{
		Use:   "verify --ledger RUN_DIR [--consumed FILE]",
		Short: "Check a consumer's output against the run's ledger",
		Long: `Compare what an external consumer processed with what the run acknowledged.
Without --consumed, re-judge the run's own built-in consumers from the
deliveries in its ledger (each against its expect in the run's scenario.yaml,
or --expect when given); the sink's final state is not in the ledger.
FILE has one JSON object per line, in processing order:
  {"record_id": "bikes-42", "shard_id": "shardId-000000000001", "sequence_number": "4959..."}
record_id is required (the kinesim_id every generated record carries); shard_id,
sequence_number and partition_key are optional, and with sequence numbers the
order per partition key (per shard, without partition_key) is checked.
Reported: lost (acknowledged, stored, and the consumer read past it: evicted
or absent), unread (not read yet when the run ended, or after the end of a
ledger cut short by a kill), duplicate deliveries, duplicate effects (records processed more
than once), reordered, delivered but never acknowledged, unknown ids.
Exit code 99 when a count is over --expect.`,
		Example: `  kinesim verify --ledger runs/bike-rush-hour-20260304T080000Z --consumed processed.jsonl
  kinesim verify --ledger runs/idempotency-check-20260304T080000Z
  kinesim verify --ledger RUN --consumed out.jsonl --expect lost=0,duplicate_effects=5 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runDir == "" {
				return usageError("verify needs --ledger RUN_DIR (and --consumed FILE for an external consumer)")
			}
			limits, err := parseExpect(expect)
			if err != nil {
				return usageError("--expect: %v", err)
			}
			runDir = ledgerFolder(runDir)
			led, err := ledger.Load(filepath.Join(runDir, ledger.FileName))
			if errors.Is(err, fs.ErrNotExist) {
				return usageError("--ledger %s: no %s there; give the folder a run wrote (runs/<scenario>-<UTC time>), which holds it", runDir, ledger.FileName)
			}
			if err != nil {
				return failure(err)
			}
			v := &result.Verification{Passed: true, Incomplete: led.End().Note()}
			if consumed == "" {
				v.Consumers, err = builtinVerdicts(runDir, led, limits, cmd.Flags().Changed("expect"))
				if err != nil {
					return err
				}
			} else {
				f, err := os.Open(consumed)
				if err != nil {
					return usageError("--consumed: %w", err)
				}
				defer f.Close()
				c := led.Consumer("external")
				if err := ledger.ReadConsumed(f, c); err != nil {
					return usageError("%s: %v", consumed, err)
				}
				verdict := c.Verdict()
				verdict.Judge(limits)
				v.Consumers = []result.ConsumerVerdict{verdict}
			}
			var failures []string
			for _, c := range v.Consumers {
				v.Passed = v.Passed && c.Passed
				for _, f := range c.Failures {
					failures = append(failures, c.Consumer+": "+f)
				}
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				err = enc.Encode(v)
			} else {
				err = reports.WriteVerification(out, v)
			}
			if err != nil {
				return failure(err)
			}
			if !v.Passed {
				return &exitError{code: exitThreshold, err: fmt.Errorf("verification failed: %s", strings.Join(failures, ", "))}
			}
			if v.Incomplete != "" {
				return failure(fmt.Errorf("the run is incomplete: its ledger was cut short"))
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&runDir, "ledger", "", "the run folder holding "+ledger.FileName)
	fl.StringVar(&consumed, "consumed", "", "the consumer's JSON-lines output")
	fl.StringVar(&expect, "expect", "lost=0,duplicate_effects=0", "most of each count allowed, NAME=N,... (names: "+strings.Join(result.VerdictNames(), ", ")+")")
	fl.BoolVar(&asJSON, "json", false, "print the verdict as JSON")
	return cmd
}

// ledgerFolder is the run folder a --ledger value names: the folder, or
// the folder of a ledger.bin given by its path.
func ledgerFolder(path string) string {
	if filepath.Base(path) == ledger.FileName {
		if info, err := os.Stat(path); err == nil && !info.IsDir() {
			return filepath.Dir(path)
		}
	}
	return path
}

// builtinVerdicts judges the built-in consumers a run's ledger holds, each
// against its expect in the run folder's scenario.yaml unless override.
func builtinVerdicts(runDir string, led *ledger.Ledger, limits map[string]int64, override bool) ([]result.ConsumerVerdict, error) {
	consumers := led.Consumers()
	if len(consumers) == 0 {
		return nil, usageError("%s: the run had no built-in consumers; give --consumed FILE with your consumer's output", runDir)
	}
	expect := map[string]map[string]int64{}
	if !override {
		sc, err := scenarios.Load(filepath.Join(runDir, runner.ScenarioFile), scenarios.WithGenerators(generators.Kinds()...))
		if err != nil {
			return nil, failure(fmt.Errorf("the run's expectations: %w (or give --expect)", err))
		}
		for _, c := range sc.Consumers {
			expect[c.Name] = c.Expect
		}
	}
	out := make([]result.ConsumerVerdict, 0, len(consumers))
	for _, c := range consumers {
		verdict := c.Verdict()
		if override {
			verdict.Judge(limits)
		} else {
			verdict.Judge(expect[c.Name()])
		}
		out = append(out, verdict)
	}
	return out, nil
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
		for _, k := range result.VerdictNames() {
			known = known || k == name
		}
		if !ok || err != nil || n < 0 || !known {
			return nil, fmt.Errorf("%q: want NAME=N with N >= 0 and NAME one of %s", part, strings.Join(result.VerdictNames(), ", "))
		}
		out[name] = n
	}
	return out, nil
}
