package ledger

import (
	"context"
	"fmt"

	"github.com/kinesim/kinesim/result"
)

// JudgeOptions say what JudgeFiles holds each consumer to.
type JudgeOptions struct {
	// Expect are the expectations by consumer name (name of a count →
	// most allowed, as a scenario's consumers[].expect); a consumer not
	// named gets Default.
	Expect map[string]map[string]int64
	// Default applies to consumers Expect does not name; nil judges nothing.
	Default map[string]int64
}

// JudgeFiles judges the built-in consumers of several ledger files as one
// run: the segments of a scenario run on several machines, whose consumers
// may read records another segment produced. It loads the files with
// LoadFiles (producers and consumers matched by name; record ids must be
// unique across segments, so give each segment's producers their own names)
// and returns the same verification a single run's result.json carries,
// one verdict per consumer name, in the order the files first name them.
// The sinks' final states are not in ledgers, so verdicts carry no Sink.
// A file cut short (a segment killed) makes the verification Incomplete:
// what it does not show delivered is unread, not lost.
func JudgeFiles(ctx context.Context, paths []string, opts JudgeOptions) (*result.Verification, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("ledger: no ledger files to judge")
	}
	l, err := LoadFiles(paths...)
	if err != nil {
		return nil, err
	}
	v := &result.Verification{Passed: true, Incomplete: l.End().Note()}
	for _, c := range l.Consumers() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		verdict := c.Verdict()
		expect, ok := opts.Expect[c.Name()]
		if !ok {
			expect = opts.Default
		}
		verdict.Judge(expect)
		v.Passed = v.Passed && verdict.Passed
		v.Consumers = append(v.Consumers, verdict)
	}
	return v, nil
}
