package server_test

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkkinesis "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/emulated/server"
)

// TestStreamLifecycle walks a stream through CREATING, ACTIVE and DELETING
// with the answers Kinesis gives in each (issue 17, item 5), on synctest's
// clock.
func TestStreamLifecycle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := server.New(emulated.New(), server.WithCreateDelay(2*time.Second), server.WithDeleteDelay(time.Second))
		do := func(op, body string) (int, map[string]any) {
			return call(t, srv, "POST", "Kinesis_20131202."+op, jsonType, body)
		}
		statusOf := func() string {
			code, body := do("DescribeStreamSummary", `{"StreamName":"s"}`)
			if code != http.StatusOK {
				return body["__type"].(string)
			}
			return body["StreamDescriptionSummary"].(map[string]any)["StreamStatus"].(string)
		}
		steps := []struct {
			name, op, body string
			status         int
			typ, msg       string
		}{
			{"create", "CreateStream", `{"StreamName":"s","ShardCount":1}`, 200, "", ""},
			{"put while CREATING", "PutRecord", `{"StreamName":"s","PartitionKey":"k","Data":""}`, 400, "ResourceNotFoundException", "Stream s under account 111111111111 not found."},
			{"split while CREATING", "SplitShard", `{"StreamName":"s","ShardToSplit":"shardId-0","NewStartingHashKey":"2"}`, 400, "ResourceInUseException",
				"Stream s under account 111111111111 not ACTIVE, instead in state CREATING"},
			{"create again", "CreateStream", `{"StreamName":"s","ShardCount":1}`, 400, "ResourceInUseException", "Stream s under account 111111111111 already exists."},
		}
		run := func(from, to int) {
			for _, st := range steps[from:to] {
				code, body := do(st.op, st.body)
				require.Equal(t, st.status, code, "%s: %v", st.name, body)
				if st.typ != "" {
					assert.Equal(t, st.typ, body["__type"], st.name)
					assert.Equal(t, st.msg, body["message"], st.name)
				}
			}
		}
		run(0, 1)
		assert.Equal(t, "CREATING", statusOf())
		run(1, len(steps))
		time.Sleep(2 * time.Second)
		synctest.Wait()
		assert.Equal(t, "ACTIVE", statusOf())
		code, body := do("PutRecord", `{"StreamName":"s","PartitionKey":"k","Data":""}`)
		require.Equal(t, http.StatusOK, code, "put once ACTIVE: %v", body)

		code, body = do("DeleteStream", `{"StreamName":"s"}`)
		require.Equal(t, http.StatusOK, code, "delete: %v", body)
		assert.Equal(t, "DELETING", statusOf())
		code, body = do("PutRecord", `{"StreamName":"s","PartitionKey":"k","Data":""}`)
		require.Equal(t, http.StatusBadRequest, code)
		assert.Equal(t, "ResourceNotFoundException", body["__type"], "put while DELETING")
		time.Sleep(time.Second)
		synctest.Wait()
		assert.Equal(t, "ResourceNotFoundException", statusOf())
	})
}

// TestSDKWaitersFollowTheLifecycle: the aws-sdk-go-v2 StreamExists and
// StreamNotExists waiters, as users call them, wait out CREATING and
// DELETING. The delays are short and the waiters poll often; the test
// waits for states, it times nothing.
func TestSDKWaitersFollowTheLifecycle(t *testing.T) {
	_, endpoint := serve(t, emulated.New(emulated.WithConsumerDelay(100*time.Millisecond)),
		server.WithCreateDelay(100*time.Millisecond), server.WithDeleteDelay(100*time.Millisecond))
	client := rawSDK(endpoint)
	ctx := t.Context()
	fast := func(o *sdkkinesis.StreamExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 20*time.Millisecond
	}
	_, err := client.CreateStream(ctx, &sdkkinesis.CreateStreamInput{StreamName: aws.String("w"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	require.NoError(t, sdkkinesis.NewStreamExistsWaiter(client, fast).Wait(ctx, &sdkkinesis.DescribeStreamInput{StreamName: aws.String("w")}, 10*time.Second))

	sum, err := client.DescribeStreamSummary(ctx, &sdkkinesis.DescribeStreamSummaryInput{StreamName: aws.String("w")})
	require.NoError(t, err)
	reg, err := client.RegisterStreamConsumer(ctx, &sdkkinesis.RegisterStreamConsumerInput{StreamARN: sum.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("c")})
	require.NoError(t, err)
	assert.Equal(t, "CREATING", string(reg.Consumer.ConsumerStatus), "RegisterStreamConsumer answers CREATING")

	_, err = client.DeleteStream(ctx, &sdkkinesis.DeleteStreamInput{StreamName: aws.String("w"), EnforceConsumerDeletion: aws.Bool(true)})
	require.NoError(t, err)
	gone := func(o *sdkkinesis.StreamNotExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 20*time.Millisecond
	}
	require.NoError(t, sdkkinesis.NewStreamNotExistsWaiter(client, gone).Wait(ctx, &sdkkinesis.DescribeStreamInput{StreamName: aws.String("w")}, 10*time.Second))
}
