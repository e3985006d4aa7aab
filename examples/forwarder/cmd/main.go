// Command forwarder runs the example forwarder (package forwarder) against
// Kinesis, or against `kinesim emulate` when AWS_ENDPOINT_URL_KINESIS
// points at it:
//
//	export AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:4567 AWS_REGION=us-east-1
//	export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
//	go run ./examples/forwarder/cmd --input bikes --output bikes-enriched
//
// --on-write-error skip makes it the faulty variant that drops records
// whose write failed. It stops on Ctrl-C and prints what it did.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/kinesim/kinesim/examples/forwarder"
)

func main() {
	var cfg forwarder.Config
	flag.StringVar(&cfg.Input, "input", "", "stream to read (required)")
	flag.StringVar(&cfg.Output, "output", "", "stream to write (required)")
	flag.DurationVar(&cfg.Poll, "poll", 200*time.Millisecond, "wait between GetRecords calls per shard")
	flag.StringVar(&cfg.OnWriteError, "on-write-error", forwarder.Retry, "what a failed write becomes: retry (at least once) or skip (at most once)")
	endpoint := flag.String("endpoint", "", "Kinesis endpoint URL (default: AWS_ENDPOINT_URL_KINESIS, else AWS)")
	flag.Parse()
	if cfg.Input == "" || cfg.Output == "" {
		fmt.Fprintln(os.Stderr, "forwarder: --input and --output are required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "forwarder: AWS configuration:", err)
		os.Exit(1)
	}
	f, err := forwarder.New(awsCfg, *endpoint, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "forwarder:", err)
		os.Exit(2)
	}
	fmt.Fprintf(os.Stderr, "forwarder: %s -> %s (on write error: %s); Ctrl-C stops\n", cfg.Input, cfg.Output, cfg.OnWriteError)
	_ = f.Run(ctx)
	s := f.Stats()
	fmt.Fprintf(os.Stderr, "forwarder: read %d, written %d, retried %d, skipped %d\n", s.Read, s.Written, s.Retried, s.Skipped)
}
