package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/kinesis/kinesistest"
)

// kinesaliteDiffers names the rows where kinesalite, recorded against an
// older Kinesis, answers otherwise than current Kinesis, and why; those
// rows are not asked of it.
var kinesaliteDiffers = map[string]string{
	// Kinesis has taken StreamARN since 2022: StreamName is optional.
	"iterator request with nothing":    "kinesalite requires StreamName and reports 'The paramater ... is required'",
	"merge with nothing":               "kinesalite requires StreamName and reports 'The paramater ... is required'",
	"scaling with nothing":             "kinesalite has no UpdateShardCount",
	"register with nothing":            "kinesalite has no enhanced fan-out",
	"register a bad consumer name":     "kinesalite has no enhanced fan-out",
	"register on a missing stream":     "kinesalite has no enhanced fan-out",
	"describe a consumer by a bad ARN": "kinesalite has no enhanced fan-out",
	"create with nothing":              "kinesalite reports 'The paramater ... is required'",
	// RetentionPeriodHours' bound is 8760 since November 2020.
	"retention above the maximum":       "kinesalite's bound is 168 hours",
	"retention 169 of a missing stream": "kinesalite's bound is 168 hours",
	// kinesalite anchors a pattern's first alternative only (^0|...$), so
	// "01" and "-1" pass its 0|([1-9]\d{0,N}) patterns; Kinesis matches
	// the whole value.
	"sequence number for ordering not decimal": "kinesalite's pattern check is unanchored",
	"explicit hash key not decimal":            "kinesalite's pattern check is unanchored",
	// kinesalite's CreateStream and ListShards take no Tags or ShardFilter.
	"list for a map":         "kinesalite's CreateStream takes no Tags",
	"tag value too long":     "kinesalite's CreateStream takes no Tags",
	"string for a structure": "kinesalite's ListShards takes no ShardFilter",
	// kinesim's kinesalite.js sets its shard limit to 100, and its region is
	// its own; the rows hold Kinesis's default of 20,000 in us-east-1.
	"a stream over the account's shards":  "kinesalite's shard limit is 100 here",
	"a stream up to the server's own cap": "kinesalite's shard limit is 100 here",
	"an existing stream before the limit": "",
	"scaling past the account's shards":   "kinesalite has no UpdateShardCount",
}

// TestKinesisAnswersAgainstKinesalite asks kinesalite the rows of
// TestKinesisAnswers, so that the texts the emulator is held to are the
// ones a Kinesis-compatible server recorded against Kinesis gives.
func TestKinesisAnswersAgainstKinesalite(t *testing.T) {
	srv := kinesistest.StartKinesalite(t)
	i := 0
	for _, group := range [][]answerRow{shardIDRows, serializationRows, validationRows, sequenceRows, tagAndLimitRows} {
		for _, row := range group {
			i++
			t.Run(row.name, func(t *testing.T) {
				if why, ok := kinesaliteDiffers[row.name]; ok && why != "" {
					t.Skip(why)
				}
				name := fmt.Sprintf("fixture%d", i)
				createActive(t, srv.Endpoint, name)
				// Free the shards: kinesalite keeps an account shard limit.
				defer post(t, srv.Endpoint, "DeleteStream", `{"StreamName":"`+name+`s"}`)
				defer post(t, srv.Endpoint, "DeleteStream", `{"StreamName":"`+name+`"}`)
				body := strings.ReplaceAll(row.body, `"fixture"`, `"`+name+`"`)
				body = strings.ReplaceAll(body, `"StreamName":"s"`, `"StreamName":"`+name+`s"`)
				status, got := post(t, srv.Endpoint, row.op, body)
				require.Equal(t, row.status, status, "HTTP status; body %v", got)
				if row.status == 200 {
					return
				}
				assert.Equal(t, row.typ, got["__type"], "__type")
				// The account differs: kinesalite's is 000000000000.
				want := strings.ReplaceAll(row.msg, "stream fixture ", "stream "+name+" ")
				want = strings.ReplaceAll(want, "Stream fixture ", "Stream "+name+" ")
				want = strings.ReplaceAll(want, "account 111111111111", "account 000000000000")
				assert.Equal(t, want, got[messageKey(row.typ)], "message; body %v", got)
			})
		}
	}
}

// createActive makes a stream of two shards and waits until it is ACTIVE.
func createActive(t *testing.T, endpoint, name string) {
	t.Helper()
	status, body := post(t, endpoint, "CreateStream", `{"StreamName":"`+name+`","ShardCount":2}`)
	require.Equal(t, 200, status, "CreateStream: %v", body)
	for range 200 {
		_, body := post(t, endpoint, "DescribeStreamSummary", `{"StreamName":"`+name+`"}`)
		if sum, _ := body["StreamDescriptionSummary"].(map[string]any); sum["StreamStatus"] == "ACTIVE" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("stream %s never became ACTIVE", name)
}

// post sends one JSON request to a live server.
func post(t *testing.T, endpoint, op, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", endpoint+"/", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("Content-Type", jsonType)
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=kinesim/20250601/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}
