// Command kinesim simulates and load-tests Amazon Kinesis-style data streams:
// it runs scenario files against the built-in emulated stream or a real
// Kinesis endpoint and reports latency, throughput, throttling and loss.
//
// Each subcommand lives in its own file; all logic lives in packages.
package main

import (
	"errors"
	"fmt"
	"os"
)

// Exit codes (DESIGN.md): 0 success; 1 the run could not be done; 2 bad
// usage or an invalid scenario; 99 a threshold, verification or comparison failed.
const (
	exitOK        = 0
	exitFailure   = 1
	exitUsage     = 2
	exitThreshold = 99
)

// exitError carries an exit code up to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func failure(err error) error { return &exitError{code: exitFailure, err: err} }

func main() {
	os.Exit(execute(os.Args[1:]))
}

// execute runs the CLI with args and returns the exit code.
func execute(args []string) int {
	root := newRootCommand()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(root.ErrOrStderr(), "kinesim:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// Cobra's own errors are about usage: unknown flags, wrong argument counts.
	return exitUsage
}
