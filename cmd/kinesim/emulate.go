package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/emulated/server"
	"github.com/kinesim/kinesim/targets"
)

type emulateFlags struct {
	addr        string
	allowRemote bool
	stream      string
	shards      int
	region      string
	shardLimit  int
	checkSigs   bool
	delays      lifecycleDelays
	verbose     bool
	scenario    string
	out         string
	firehose    firehoseFlags
	force       bool
}

func newEmulateCommand() *cobra.Command {
	var f emulateFlags
	cmd := &cobra.Command{
		Use:   "emulate",
		Short: "Serve the emulated stream over the Kinesis API on loopback",
		Long: `Serve kinesim's emulated stream over the Kinesis Data Streams API (JSON 1.1 and
CBOR, as the AWS SDKs and CLI speak them; HTTP/1.1 and cleartext HTTP/2), limits
included, until Ctrl-C. Point any Kinesis
client at it with AWS_ENDPOINT_URL_KINESIS=http://ADDR. Requests are accepted with
any credentials and signature, unchecked (--check-signatures verifies SigV4
against this process's AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): the address must be a loopback one
unless --allow-remote. --stream (with --shards) creates a stream at start.
--scenario runs a scenario's producers (and chaos, and built-in consumers) against
the served stream while your consumer reads it, and finishes as 'kinesim run' does:
thresholds judged, the run folder (--out; --force reuses one) written with
result.json, summary.md, report.html and its ledger for 'kinesim verify'. It keeps
serving until Ctrl-C, then exits 99 if a threshold or a verification failed. A
scenario's pipelines are measured through your application: it reads the input
stream and writes the output stream here, and the faults the scenario moves onto
it (application: NAME) act on the calls it makes. The Firehose API
(Firehose_20150804.*) is served on the same address: point Firehose clients at it
with AWS_ENDPOINT_URL_FIREHOSE=http://ADDR; delivery streams write their objects
to --firehose-dir (or --firehose-s3-endpoint). See docs/emulate.md,
docs/pipelines.md and docs/firehose.md for walk-throughs.`,
		Example: `  kinesim emulate
  kinesim emulate --stream smartcity-bikes --shards 4
  kinesim emulate --addr 127.0.0.1:4568 --verbose
  kinesim emulate --scenario bike-rush-hour --out runs/emulated-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("shards") && f.stream == "" {
				return usageError("--shards needs --stream: it sizes the stream created at start")
			}
			if err := checkLoopback(f.addr, f.allowRemote); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return emulate(ctx, cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:4567", "address to listen on (host:port; port 0 picks a free one)")
	fl.BoolVar(&f.allowRemote, "allow-remote", false, "allow a non-loopback --addr (the server checks no credentials)")
	fl.StringVar(&f.stream, "stream", "", "create a provisioned stream of this name at start")
	fl.IntVar(&f.shards, "shards", 1, "shard count of the --stream created at start")
	fl.StringVar(&f.region, "region", "us-east-1", "region named in stream ARNs (requests for any region are served)")
	fl.IntVar(&f.shardLimit, "shard-limit", 0, "the account's shard quota, all streams' open shards together (default Kinesis's: 20,000 in us-east-1, us-west-2 and eu-west-1, 1,000 elsewhere)")
	fl.DurationVar(&f.delays.create, "create-delay", 500*time.Millisecond, "how long a stream made by CreateStream stays CREATING (Kinesis takes seconds; 0: ACTIVE at once)")
	fl.DurationVar(&f.delays.delete, "delete-delay", 500*time.Millisecond, "how long a deleted stream shows DELETING")
	fl.DurationVar(&f.delays.reshard, "reshard-delay", 500*time.Millisecond, "how long SplitShard, MergeShards and UpdateShardCount keep the stream UPDATING")
	fl.DurationVar(&f.delays.consumer, "consumer-delay", 500*time.Millisecond, "how long a registered consumer stays CREATING")
	fl.BoolVar(&f.checkSigs, "check-signatures", false, "verify each request's SigV4 signature against AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY of this process, with Kinesis's auth errors")
	fl.BoolVar(&f.verbose, "verbose", false, "log every failed request to stderr")
	fl.StringVar(&f.scenario, "scenario", "", "run this scenario (a file or a built-in name) against the served stream")
	fl.StringVar(&f.out, "out", "", "run folder of the --scenario run (default runs/<scenario>-<UTC timestamp>)")
	fl.StringVar(&f.firehose.dir, "firehose-dir", DefaultFirehoseDir, "folder the Firehose API's delivery streams write their S3 objects to (<dir>/<bucket>/<key>)")
	fl.StringVar(&f.firehose.s3Endpoint, "firehose-s3-endpoint", "", "write Firehose objects to this S3-compatible server instead of --firehose-dir (path-style; buckets must exist)")
	fl.BoolVar(&f.force, "force", false, "reuse a non-empty --out folder, deleting the files an earlier run wrote there")
	return cmd
}

// checkLoopback refuses an address that is not a loopback one unless
// allowed: the server accepts any credentials.
func checkLoopback(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError("--addr %q: want host:port, for example 127.0.0.1:4567 (%v)", addr, err)
	}
	ip := net.ParseIP(host)
	if strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback()) || allowRemote {
		return nil
	}
	if host == "" {
		host = "every interface"
	}
	return usageError("--addr %q listens on %s, not loopback: the emulator checks no credentials, so anyone who can reach it can use it; bind 127.0.0.1, or pass --allow-remote", addr, host)
}

func emulate(ctx context.Context, cmd *cobra.Command, f emulateFlags) error {
	if f.shardLimit < 0 {
		return usageError("--shard-limit %d: want a number of shards above 0 (or leave it out for Kinesis's default)", f.shardLimit)
	}
	logLevel := slog.LevelWarn
	if f.verbose {
		logLevel = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: logLevel}))
	srv, apps, err := newEmulateServer(f, logger)
	if err != nil {
		return err
	}
	if f.stream != "" {
		if err := srv.CreateStream(ctx, &stream.CreateStreamInput{StreamName: f.stream, ShardCount: f.shards}); err != nil {
			return usageError("--stream %s --shards %d: %w", f.stream, f.shards, err)
		}
	}
	var scenario runPlan
	if f.scenario != "" {
		var err error
		if scenario, err = prepareEmulateScenario(f); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return failure(fmt.Errorf("listening on %s: %w", f.addr, err))
	}
	endpoint := "http://" + ln.Addr().String()
	out := cmd.OutOrStdout()
	creds := "any credentials accepted"
	if f.checkSigs {
		creds = "signatures checked for access key " + os.Getenv("AWS_ACCESS_KEY_ID")
	}
	fmt.Fprintf(out, "kinesim emulate: serving the Kinesis API at %s (%s; Ctrl-C stops)\n", endpoint, creds)
	if f.stream != "" {
		fmt.Fprintf(out, "stream %s: %d shard(s), ACTIVE\n", f.stream, f.shards)
	}
	// AWS_DEFAULT_REGION too: the AWS CLI v1 reads no AWS_REGION.
	fmt.Fprintf(out, "point a client at it:  export AWS_ENDPOINT_URL_KINESIS=%s AWS_REGION=%s AWS_DEFAULT_REGION=%s\n", endpoint, f.region, f.region)

	requests, endRequests := context.WithCancel(context.Background())
	defer endRequests()
	handler, err := withFirehose(ctx, srv, f.firehose, f.region, logger, out)
	if err != nil {
		return failure(fmt.Errorf("--firehose-s3-endpoint: %w", err))
	}
	hs := newHTTPServer(handler, requests, emulateBodyReadTimeout)
	hs.RegisterOnShutdown(endRequests)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	// The scenario's outcome (a failed threshold, say) is the exit status
	// once serving ends: the user's consumer may still be reading.
	var outcome error
	if f.scenario != "" {
		outcome = emulateScenario(ctx, cmd, scenario, srv.Target(), endpoint, apps)
		var ee *exitError
		if outcome != nil && (!errors.As(outcome, &ee) || ee.code != exitThreshold || ctx.Err() != nil) {
			return outcome
		}
		fmt.Fprintf(out, "kinesim emulate: the scenario is done; still serving %s until Ctrl-C\n", endpoint)
		if outcome != nil {
			fmt.Fprintf(out, "kinesim emulate: the scenario's run failed (%v): exit status %d when stopped\n", outcome, exitThreshold)
		}
	}
	select {
	case err := <-served:
		return failure(fmt.Errorf("serving %s: %w", endpoint, err))
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = hs.Shutdown(shutdown)
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	fmt.Fprintln(out, "kinesim emulate: stopped")
	if err != nil {
		return errors.Join(outcome, failure(fmt.Errorf("stopping: %w", err)))
	}
	return outcome
}

// newHTTPServer serves h over HTTP/1.1 and over cleartext HTTP/2 (h2c with
// prior knowledge: the client's first bytes are the HTTP/2 preface; the
// HTTP/1.1 "Upgrade: h2c" dance is not served), on one port. The Java SDK
// v2, and so KCL 2.x, calls SubscribeToShard over HTTP/2 only; with an
// http:// endpoint it speaks h2c with prior knowledge. Requests' contexts
// derive from requests: cancel it when shutdown starts, so that open
// SubscribeToShard event streams (up to 5 minutes each) end at once rather
// than holding Shutdown until its timeout. A request body must arrive within
// bodyTimeout of its headers (see withBodyReadTimeout).
func newHTTPServer(h http.Handler, requests context.Context, bodyTimeout time.Duration) *http.Server {
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Server{Handler: withBodyReadTimeout(h, bodyTimeout), ReadHeaderTimeout: 10 * time.Second, Protocols: &protocols,
		BaseContext: func(net.Listener) context.Context { return requests }}
}

// prepareEmulateScenario loads the --scenario and makes its run folder
// ready, before anything is served: a bad file or a used folder is bad
// usage, as for `kinesim run`. The streams stay after the run, so an
// outside consumer can finish.
func prepareEmulateScenario(f emulateFlags) (runPlan, error) {
	sc, err := loadScenario(f.scenario)
	if err != nil {
		return runPlan{}, err
	}
	if sc.Clock == scenarios.ClockVirtual {
		return runPlan{}, usageError("--scenario %s: runs in virtual time, which an outside consumer cannot follow; remove clock: virtual", f.scenario)
	}
	thresholds, err := scenarios.ParseThresholds(sc)
	if err != nil {
		return runPlan{}, &exitError{code: exitUsage, err: err}
	}
	sc.Target.Kind, sc.Target.Keep = scenarios.TargetEmulated, true
	out := f.out
	if out == "" {
		out = runner.RunDir("runs", sc.Name, time.Now())
	}
	if err := prepareRunFolder(out, f.force); err != nil {
		return runPlan{}, err
	}
	return runPlan{scenario: sc, thresholds: thresholds, out: out, clock: targets.NewClock(sc, time.Now()),
		drainTimeout: runner.DefaultDrainTimeout, quiet: true}, nil
}

// emulateScenario runs the prepared scenario against the served stream and
// finishes the run as `kinesim run` does (executeRun: thresholds judged,
// report.html, summary.md and result.json written); the run's outcome (a
// failed threshold: exit 99) is the error returned.
func emulateScenario(ctx context.Context, cmd *cobra.Command, p runPlan, target stream.Target, endpoint string, apps *applicationPlane) error {
	fmt.Fprintf(cmd.OutOrStdout(), "kinesim emulate: running scenario %s into stream %s; run folder %s\n", p.scenario.Name, p.scenario.Target.Stream, p.out)
	p.opened = &targets.Opened{Target: target, Endpoint: endpoint}
	// The faults the scenario moves onto its pipelines' applications act on
	// the calls served to them, for as long as the run lasts.
	p.chaosReady, p.afterRun = apps.install, func() { apps.install(nil) }
	return executeRun(ctx, cmd, p)
}

// newEmulateServer makes the served emulator as the flags say; the
// clients' data calls go through apps, where a scenario's application
// faults act.
func newEmulateServer(f emulateFlags, logger *slog.Logger) (*server.Server, *applicationPlane, error) {
	if err := f.delays.check(); err != nil {
		return nil, nil, err
	}
	emu := emulated.New(emulated.WithReshardDelay(f.delays.reshard), emulated.WithConsumerDelay(f.delays.consumer))
	apps := &applicationPlane{emu: emu}
	opts := []server.Option{server.WithRegion(f.region), server.WithShardLimit(f.shardLimit), server.WithLogger(logger),
		server.WithCreateDelay(f.delays.create), server.WithDeleteDelay(f.delays.delete), server.WithDataPlane(apps)}
	if f.checkSigs {
		key, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
		if key == "" || secret == "" {
			return nil, nil, usageError("--check-signatures checks signatures against AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: set both, to the credentials your clients use")
		}
		opts = append(opts, server.WithSignatureCheck(key, secret))
	}
	return server.New(emu, opts...), apps, nil
}

// lifecycleDelays are how long streams and consumers stay in Kinesis's
// transitional states (CREATING, DELETING, UPDATING) in `kinesim emulate`.
type lifecycleDelays struct{ create, delete, reshard, consumer time.Duration }

func (d lifecycleDelays) check() error {
	for _, f := range []struct {
		flag string
		d    time.Duration
	}{{"create-delay", d.create}, {"delete-delay", d.delete}, {"reshard-delay", d.reshard}, {"consumer-delay", d.consumer}} {
		if f.d < 0 {
			return usageError("--%s %s: want a duration of 0 or more, e.g. 500ms", f.flag, f.d)
		}
	}
	return nil
}
