package kinesistest

import (
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fatalRecorder is a testing.TB whose Fatalf and Skipf record the message
// and end the goroutine, as the real ones do.
type fatalRecorder struct {
	testing.TB
	fatal, skip string
}

func (r *fatalRecorder) Helper() {}
func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *fatalRecorder) Skipf(format string, args ...any) {
	r.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func runRecorded(t *testing.T, f func(tb testing.TB)) *fatalRecorder {
	r := &fatalRecorder{TB: t}
	var wg sync.WaitGroup
	wg.Go(func() { f(r) })
	wg.Wait()
	return r
}

func TestMissingInstallFailsWithTheCommand(t *testing.T) {
	t.Setenv(SkipEnv, "")
	t.Setenv(DirEnv, t.TempDir()) // nothing installed there
	r := runRecorded(t, func(tb testing.TB) { StartKinesalite(tb) })
	assert.Contains(t, r.fatal, InstallCommand, "the failure says how to install")
	assert.Contains(t, r.fatal, SkipEnv, "and how to skip on purpose")
	assert.Empty(t, r.skip, "never skipped silently")
}

func TestSkipEnvSkipsAndSaysWhy(t *testing.T) {
	t.Setenv(SkipEnv, "1")
	r := runRecorded(t, func(tb testing.TB) { StartKinesisMock(tb) })
	assert.Contains(t, r.skip, SkipEnv+"=1")
	assert.Contains(t, r.skip, string(KinesisMock))
	assert.Empty(t, r.fatal)
}

// TestServersStartAndStop starts each server, checks it answers on
// loopback, and checks Cleanup stops it.
func TestServersStartAndStop(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			var srv *Server
			t.Run("start", func(t *testing.T) {
				srv = Start(t, kind)
				require.Regexp(t, `^http://127\.0\.0\.1:\d+$`, srv.Endpoint)
				resp, err := http.Get(srv.Endpoint + "/healthcheck")
				require.NoError(t, err, "the server answers")
				resp.Body.Close()
			})
			if srv == nil {
				return // skipped or failed above
			}
			select {
			case <-srv.exited:
			default:
				t.Fatalf("%s still running after its test's cleanup", kind)
			}
		})
	}
}

// TestS3rverAndDynaliteAnswer starts s3rver with a bucket and dynalite, and
// checks each answers as its service does: s3rver lists the bucket it was
// asked to create (anonymous reads of a bucket are allowed), dynalite refuses
// an unsigned request with a DynamoDB error.
func TestS3rverAndDynaliteAnswer(t *testing.T) {
	s3 := StartS3rver(t, "kinesim-test")
	resp, err := http.Get(s3.Endpoint + "/kinesim-test")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the bucket exists")

	ddb := StartDynalite(t)
	resp, err = http.Post(ddb.Endpoint+"/", "application/x-amz-json-1.0", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "dynalite answers an unsigned request with 400")
}
