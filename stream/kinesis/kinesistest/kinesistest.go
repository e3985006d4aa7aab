// Package kinesistest starts real Kinesis-compatible servers on loopback for
// tests: kinesalite and kinesis-mock (the kinesis-local npm package), as
// tools/testservers/install.sh installs them; and, beside them, the
// S3-compatible s3rver (StartS3rver) and the DynamoDB emulator dynalite
// (StartDynalite) that Firehose destinations, run folders on S3 and KCL
// lease tables are tested against. It is to stream/kinesis what
// net/http/httptest is to net/http: no mocks, a real server on a free port.
//
// Each Start function picks a free 127.0.0.1 port, starts the server with
// node, blocks until it answers, and stops it in t.Cleanup. A test whose
// servers are not installed fails with the command that installs them; it is
// never skipped silently. Setting KINESIM_SKIP_SERVERS=1 skips such tests on
// purpose (with a message saying so), for machines without Node.js.
//
// The servers are stopped when their standard input closes too, so a test
// binary that dies (a panic, a -timeout) does not leave them running.
//
// Functions here are safe for concurrent use by parallel tests; each call
// starts its own server process.
package kinesistest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// SkipEnv is the variable that, set to 1, makes Start functions skip the test
// instead of failing when the servers cannot be started.
const SkipEnv = "KINESIM_SKIP_SERVERS"

// DirEnv overrides where the test servers are installed (the folder holding
// install.sh, kinesalite.js and node_modules). Default: tools/testservers in
// the module root.
const DirEnv = "KINESIM_TESTSERVERS_DIR"

// InstallCommand is what a developer runs to install the servers.
const InstallCommand = "tools/testservers/install.sh"

// Credentials that tests sign requests with. Both servers accept any
// credentials; kinesis-mock files streams under AWS account 000000000000
// unless the access key id is a 12-digit account id.
const (
	AccessKeyID     = "kinesim"
	SecretAccessKey = "kinesim"
	SessionToken    = ""
	Region          = "us-east-1"
)

// Kind names a server.
type Kind string

// The servers this package starts.
const (
	Kinesalite  Kind = "kinesalite"
	KinesisMock Kind = "kinesis-mock"
	// S3rver is an S3-compatible server (not a Kinesis one: it is not in Kinds).
	S3rver Kind = "s3rver"
	// Dynalite is a DynamoDB emulator (not a Kinesis one: it is not in Kinds).
	Dynalite Kind = "dynalite"
)

// S3 credentials s3rver accepts (it checks signatures against these).
const (
	S3AccessKeyID     = "S3RVER"
	S3SecretAccessKey = "S3RVER"
)

// Kinds lists every Kinesis-compatible server, for tests that run against each.
var Kinds = []Kind{Kinesalite, KinesisMock}

// readyTimeout bounds how long a server may take to answer. kinesis-mock
// needs 1–2 s on an idle machine; `go test -race ./...` on two cores is not idle.
const readyTimeout = 60 * time.Second

// stopTimeout bounds how long a server may take to exit after SIGTERM
// before it is killed.
const stopTimeout = 5 * time.Second

// Server is a running test server.
type Server struct {
	// Kind says which server this is.
	Kind Kind
	// Endpoint is its base URL, http://127.0.0.1:PORT.
	Endpoint string

	cmd    *exec.Cmd
	stdin  io.WriteCloser
	output *limitedBuffer
	exited chan struct{}
	err    error // the process's exit status, set before exited closes
}

// Start starts a server of the given kind. It blocks until the server is
// ready and registers its stop with t.Cleanup.
func Start(t testing.TB, kind Kind) *Server {
	t.Helper()
	switch kind {
	case Kinesalite:
		return StartKinesalite(t)
	case KinesisMock:
		return StartKinesisMock(t)
	}
	t.Fatalf("kinesistest: unknown server kind %q (want %q or %q)", kind, Kinesalite, KinesisMock)
	return nil
}

// StartKinesalite starts kinesalite on a free loopback port. It blocks until
// the server accepts HTTP requests and registers its stop with t.Cleanup.
func StartKinesalite(t testing.TB) *Server {
	t.Helper()
	dir := requireInstalled(t, Kinesalite)
	return startWithRetry(t, Kinesalite, func() (*exec.Cmd, string, error) {
		port, err := freePort()
		if err != nil {
			return nil, "", err
		}
		cmd := exec.Command("node", filepath.Join(dir, "kinesalite.js"), strconv.Itoa(port), "--exit-on-stdin-eof")
		cmd.Dir = dir
		return cmd, fmt.Sprintf("http://127.0.0.1:%d", port), nil
	})
}

// StartKinesisMock starts kinesis-mock on a free loopback port (and another
// for its TLS listener, which tests do not use). It blocks until GET
// /healthcheck answers 200 and registers its stop with t.Cleanup.
func StartKinesisMock(t testing.TB) *Server {
	t.Helper()
	dir := requireInstalled(t, KinesisMock)
	return startWithRetry(t, KinesisMock, func() (*exec.Cmd, string, error) {
		plain, err := freePort()
		if err != nil {
			return nil, "", err
		}
		tls, err := freePort()
		if err != nil {
			return nil, "", err
		}
		cmd := exec.Command("node", filepath.Join(dir, "kinesis-mock.js"),
			strconv.Itoa(plain), strconv.Itoa(tls), "--exit-on-stdin-eof")
		cmd.Dir = dir
		return cmd, fmt.Sprintf("http://127.0.0.1:%d", plain), nil
	})
}

// StartS3rver starts s3rver on a free loopback port with the given buckets
// created, its objects in a temporary folder removed when it stops. Clients
// sign with S3AccessKeyID/S3SecretAccessKey and use path-style addressing.
// It blocks until the server answers and registers its stop with t.Cleanup.
func StartS3rver(t testing.TB, buckets ...string) *Server {
	t.Helper()
	dir := requireInstalled(t, S3rver)
	return startWithRetry(t, S3rver, func() (*exec.Cmd, string, error) {
		port, err := freePort()
		if err != nil {
			return nil, "", err
		}
		args := []string{filepath.Join(dir, "s3rver.js"), strconv.Itoa(port)}
		for _, b := range buckets {
			args = append(args, "--bucket", b)
		}
		cmd := exec.Command("node", append(args, "--exit-on-stdin-eof")...)
		cmd.Dir = dir
		return cmd, fmt.Sprintf("http://127.0.0.1:%d", port), nil
	})
}

// StartDynalite starts dynalite (in memory) on a free loopback port. It
// blocks until the server answers and registers its stop with t.Cleanup.
func StartDynalite(t testing.TB) *Server {
	t.Helper()
	dir := requireInstalled(t, Dynalite)
	return startWithRetry(t, Dynalite, func() (*exec.Cmd, string, error) {
		port, err := freePort()
		if err != nil {
			return nil, "", err
		}
		cmd := exec.Command("node", filepath.Join(dir, "dynalite.js"), strconv.Itoa(port), "--exit-on-stdin-eof")
		cmd.Dir = dir
		return cmd, fmt.Sprintf("http://127.0.0.1:%d", port), nil
	})
}

// startWithRetry starts a server, trying again on a new port when the first
// exits before it is ready: a free port found by binding and closing may be
// taken by someone else before the server binds it.
func startWithRetry(t testing.TB, kind Kind, prepare func() (*exec.Cmd, string, error)) *Server {
	t.Helper()
	const attempts = 3
	var lastErr error
	for range attempts {
		cmd, endpoint, err := prepare()
		if err != nil {
			t.Fatalf("kinesistest: starting %s: %v", kind, err)
		}
		srv, err := start(kind, cmd, endpoint)
		if err == nil {
			t.Cleanup(func() {
				if err := srv.stop(); err != nil {
					t.Errorf("kinesistest: stopping %s at %s: %v\n%s", kind, endpoint, err, srv.output)
				}
			})
			return srv
		}
		lastErr = err
		if !errors.Is(err, errExitedEarly) {
			break
		}
	}
	t.Fatalf("kinesistest: starting %s: %v", kind, lastErr)
	return nil
}

var errExitedEarly = errors.New("server exited before it was ready")

func start(kind Kind, cmd *exec.Cmd, endpoint string) (*Server, error) {
	s := &Server{Kind: kind, Endpoint: endpoint, cmd: cmd, output: &limitedBuffer{max: 64 << 10}, exited: make(chan struct{})}
	cmd.Stdout = s.output
	cmd.Stderr = s.output
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	s.stdin = stdin
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w (is Node.js installed?)", cmd, err)
	}
	go func() {
		s.err = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(); err != nil {
		_ = s.stop()
		return nil, fmt.Errorf("%s at %s: %w\nserver output:\n%s", kind, endpoint, err, s.output)
	}
	return s, nil
}

// waitReady polls the server until it answers: kinesis-mock's /healthcheck
// must say 200; kinesalite answers any HTTP request, so any response will do.
func (s *Server) waitReady() error {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil}}
	defer client.CloseIdleConnections()
	url := s.Endpoint + "/"
	if s.Kind == KinesisMock {
		url = s.Endpoint + "/healthcheck"
	}
	deadline := time.Now().Add(readyTimeout)
	wait := 20 * time.Millisecond
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("%w: %v", errExitedEarly, s.err)
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if s.Kind != KinesisMock || resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s (last: %v)", readyTimeout, err)
		}
		select {
		case <-s.exited:
		case <-time.After(wait):
		}
		wait = min(2*wait, 250*time.Millisecond)
	}
}

// stop ends the server: SIGTERM and closed stdin, then a kill if it lingers.
// It blocks until the process has exited.
func (s *Server) stop() error {
	_ = s.stdin.Close()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		return nil // the exit status of a server we asked to stop says nothing
	case <-time.After(stopTimeout):
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	return fmt.Errorf("did not exit within %s of SIGTERM; killed", stopTimeout)
}

// Output returns what the server printed so far (at most the last 64 KiB).
func (s *Server) Output() string { return s.output.String() }

// Dir returns the folder the test servers are installed in, and whether it
// holds an installation. See DirEnv.
func Dir() (string, bool) {
	dir := os.Getenv(DirEnv)
	if dir == "" {
		dir = defaultDir()
	}
	for _, f := range []string{
		"kinesalite.js",
		"kinesis-mock.js",
		"s3rver.js",
		"dynalite.js",
		filepath.Join("node_modules", "kinesalite", "package.json"),
		filepath.Join("node_modules", "kinesis-local", "main.js"),
		filepath.Join("node_modules", "s3rver", "package.json"),
		filepath.Join("node_modules", "dynalite", "package.json"),
	} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return dir, false
		}
	}
	return dir, true
}

// defaultDir finds tools/testservers from this source file's location, or,
// when the binary was built with -trimpath, from the working directory up to
// the module root.
func defaultDir() string {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		return filepath.Join(filepath.Dir(file), "..", "..", "..", "tools", "testservers")
	}
	wd, err := os.Getwd()
	if err != nil {
		return filepath.Join("tools", "testservers")
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "tools", "testservers")
		}
		if filepath.Dir(dir) == dir {
			return filepath.Join(wd, "tools", "testservers")
		}
	}
}

// requireInstalled returns the install folder, or ends the test: skipped when
// SkipEnv=1, failed with the install command otherwise.
func requireInstalled(t testing.TB, kind Kind) string {
	t.Helper()
	if os.Getenv(SkipEnv) == "1" {
		t.Skipf("%s=1: not starting %s; this test needs a real Kinesis-compatible server", SkipEnv, kind)
	}
	dir, ok := Dir()
	if !ok {
		t.Fatalf("kinesistest: %s is not installed in %s; run %s (make test does), or set %s=1 to skip tests that need it",
			kind, dir, InstallCommand, SkipEnv)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("kinesistest: node not found in PATH (%v); install Node.js >= 18 and run %s, or set %s=1 to skip tests that need it",
			err, InstallCommand, SkipEnv)
	}
	return dir
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// limitedBuffer keeps the last max bytes written to it; safe for concurrent use.
type limitedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if over := b.buf.Len() - b.max; over > 0 {
		b.buf.Next(over)
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
