package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// awsCLI is the Debian awscli package's AWS CLI v2, which
// tools/awscli/install.sh installs (make test-setup).
const awsCLI = "/usr/bin/aws"

// TestAWSCLIDrivesEveryOperation drives every operation `kinesim emulate`
// serves through the AWS CLI v2, as a user would from a shell, and reads
// the CLI's own JSON output: what the CLI accepts and prints is what it
// does against Kinesis. The CLI has no subscribe-to-shard (it does not
// speak event streams); SubscribeToShard is tested with the SDKs.
func TestAWSCLIDrivesEveryOperation(t *testing.T) {
	if _, err := os.Stat(awsCLI); err != nil {
		if os.Getenv("KINESIM_SKIP_SERVERS") != "" {
			t.Skip("the AWS CLI v2 is not installed and KINESIM_SKIP_SERVERS is set")
		}
		t.Fatalf("%s not found: run tools/awscli/install.sh (make test-setup does)", awsCLI)
	}
	endpoint, interrupt := startEmulate(t, "--create-delay", "0", "--delete-delay", "0", "--reshard-delay", "0", "--consumer-delay", "0")
	defer interrupt()
	home := t.TempDir()
	// aws runs one CLI command. It may run on any goroutine, so it reports
	// with assert; each phase stops the test if a command failed.
	aws := func(args ...string) map[string]any {
		cmd := exec.Command(awsCLI, append([]string{"kinesis", "--endpoint-url", endpoint, "--output", "json", "--no-cli-pager"}, args...)...)
		cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
			"AWS_REGION=us-east-1", "AWS_CONFIG_FILE=" + filepath.Join(home, "none"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none")}
		out, err := cmd.Output()
		var stderr string
		if exitErr, ok := err.(*exec.ExitError); ok {
			stderr = string(exitErr.Stderr)
		}
		if !assert.NoError(t, err, "aws kinesis %s: %s", strings.Join(args, " "), stderr) || len(strings.TrimSpace(string(out))) == 0 {
			return nil // failed, or the operation returns nothing
		}
		var got map[string]any
		assert.NoError(t, json.Unmarshal(out, &got), "aws kinesis %s printed %s", args[0], out)
		return got
	}
	// phase runs independent commands at once: the CLI takes seconds to
	// start on a loaded machine.
	phase := func(steps ...func()) {
		t.Helper()
		var wg sync.WaitGroup
		for _, step := range steps {
			wg.Go(step)
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
	}
	str := func(m map[string]any, path ...string) string {
		t.Helper()
		var v any = m
		for _, p := range path {
			v = v.(map[string]any)[p]
		}
		s, _ := v.(string)
		return s
	}

	phase(func() { assert.Nil(t, aws("create-stream", "--stream-name", "cli", "--shard-count", "2")) })
	var arn, shard, seq, consumerARN string
	var iter, cons map[string]any
	data := base64.StdEncoding.EncodeToString([]byte(`{"dock":7}`))
	phase(
		func() { assert.Nil(t, aws("wait", "stream-exists", "--stream-name", "cli")) },
		func() {
			desc := aws("describe-stream", "--stream-name", "cli")
			assert.Equal(t, "ACTIVE", str(desc, "StreamDescription", "StreamStatus"))
			arn = str(desc, "StreamDescription", "StreamARN")
		},
		func() {
			sum := aws("describe-stream-summary", "--stream-name", "cli")
			assert.EqualValues(t, 2, sum["StreamDescriptionSummary"].(map[string]any)["OpenShardCount"])
		},
		func() { assert.Contains(t, aws("list-streams")["StreamNames"], "cli") },
		func() {
			limits := aws("describe-limits")
			assert.EqualValues(t, 20000, limits["ShardLimit"])
			assert.EqualValues(t, 2, limits["OpenShardCount"])
		},
		func() {
			put := aws("put-record", "--stream-name", "cli", "--partition-key", "bike-1", "--data", data)
			shard, seq = str(put, "ShardId"), str(put, "SequenceNumber")
			assert.Len(t, seq, 56, "Kinesis's sequence numbers have 56 digits")
		},
		func() {
			batch := aws("put-records", "--stream-name", "cli", "--records", `[{"PartitionKey":"bike-2","Data":"dHdv"},{"PartitionKey":"bike-3","Data":"dGhyZWU="}]`)
			assert.EqualValues(t, 0, batch["FailedRecordCount"])
		},
		func() {
			assert.Nil(t, aws("add-tags-to-stream", "--stream-name", "cli", "--tags", "team=data,env=test"))
		},
		func() {
			assert.Nil(t, aws("increase-stream-retention-period", "--stream-name", "cli", "--retention-period-hours", "48"))
		},
	)
	phase(
		func() {
			iter = aws("get-shard-iterator", "--stream-name", "cli", "--shard-id", shard, "--shard-iterator-type", "AT_SEQUENCE_NUMBER", "--starting-sequence-number", seq)
		},
		func() { assert.Len(t, aws("list-tags-for-stream", "--stream-name", "cli")["Tags"], 2) },
		func() {
			cons = aws("register-stream-consumer", "--stream-arn", arn, "--consumer-name", "cli-app")
			assert.Equal(t, "CREATING", str(cons, "Consumer", "ConsumerStatus"), "as Kinesis answers")
			consumerARN = str(cons, "Consumer", "ConsumerARN")
		},
		func() {
			assert.Nil(t, aws("decrease-stream-retention-period", "--stream-name", "cli", "--retention-period-hours", "24"))
		},
	)
	phase(
		func() {
			recs := aws("get-records", "--shard-iterator", str(iter, "ShardIterator"))
			if assert.NotEmpty(t, recs["Records"], "the record put is read back") {
				first := recs["Records"].([]any)[0].(map[string]any)
				assert.Equal(t, seq, first["SequenceNumber"])
				assert.Equal(t, data, first["Data"], "the CLI prints Data in base64")
			}
		},
		func() { assert.Nil(t, aws("remove-tags-from-stream", "--stream-name", "cli", "--tag-keys", "env")) },
		func() {
			desc := aws("describe-stream-consumer", "--consumer-arn", consumerARN)
			assert.Equal(t, "ACTIVE", str(desc, "ConsumerDescription", "ConsumerStatus"))
		},
		func() { assert.Len(t, aws("list-stream-consumers", "--stream-arn", arn)["Consumers"], 1) },
		func() {
			assert.Nil(t, aws("split-shard", "--stream-name", "cli", "--shard-to-split", "shardId-000000000000", "--new-starting-hash-key", "85070591730234615865843651857942052864"))
		},
	)
	phase(
		func() {
			assert.Nil(t, aws("merge-shards", "--stream-name", "cli", "--shard-to-merge", "shardId-000000000002", "--adjacent-shard-to-merge", "shardId-000000000003"))
		},
		func() { assert.Nil(t, aws("deregister-stream-consumer", "--consumer-arn", consumerARN)) },
	)
	phase(func() {
		scaled := aws("update-shard-count", "--stream-name", "cli", "--target-shard-count", "4", "--scaling-type", "UNIFORM_SCALING")
		assert.EqualValues(t, 4, scaled["TargetShardCount"])
	})
	phase(func() {
		shards := aws("list-shards", "--stream-name", "cli")["Shards"].([]any)
		assert.Greater(t, len(shards), 4, "parents are listed beside the open shards")
	})
	phase(func() { assert.Nil(t, aws("delete-stream", "--stream-name", "cli")) })
	phase(func() { assert.Nil(t, aws("wait", "stream-not-exists", "--stream-name", "cli")) })
}
