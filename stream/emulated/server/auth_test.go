package server_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdkkinesis "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/emulated/server"
	"github.com/kinesim/kinesim/stream/kinesis/kinesistest"
)

// TestSignatureCheck: with WithSignatureCheck, the SDK's own signing passes
// (bodies and all) and a wrong secret or another access key is refused
// with AWS's answers (issue 17, item 8).
func TestSignatureCheck(t *testing.T) {
	_, endpoint := serve(t, emulated.New(), server.WithSignatureCheck("AKIDEXAMPLE", "secret"))
	client := func(key, secret string) *sdkkinesis.Client {
		return sdkkinesis.New(sdkkinesis.Options{
			Region: "eu-west-1", BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""),
			HTTPClient:  hideBodyWriteTo{awshttp.NewBuildableClient()},
		})
	}
	ctx := t.Context()
	good := client("AKIDEXAMPLE", "secret")
	_, err := good.CreateStream(ctx, &sdkkinesis.CreateStreamInput{StreamName: aws.String("signed"), ShardCount: aws.Int32(1)})
	require.NoError(t, err, "a correctly signed call")
	out, err := good.PutRecords(ctx, &sdkkinesis.PutRecordsInput{StreamName: aws.String("signed"),
		Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("k"), Data: []byte("payload")}}})
	require.NoError(t, err, "a signed body")
	assert.Zero(t, aws.ToInt32(out.FailedRecordCount))

	tests := []struct {
		name, key, secret string
		code, msg         string
	}{
		{"wrong secret", "AKIDEXAMPLE", "not-the-secret", "InvalidSignatureException",
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
		{"another access key", "AKIDOTHER", "secret", "UnrecognizedClientException", "The security token included in the request is invalid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client(tt.key, tt.secret).ListStreams(ctx, &sdkkinesis.ListStreamsInput{})
			var api smithy.APIError
			require.True(t, errors.As(err, &api), "got %v, want %s", err, tt.code)
			assert.Equal(t, tt.code, api.ErrorCode())
			assert.Equal(t, tt.msg, api.ErrorMessage())
		})
	}
}

// authRows are answers about a request's Authorization that Kinesis gives
// (kinesalite recorded them against Kinesis), asked of a server that checks
// signatures and of kinesalite.
var authRows = []struct {
	name, auth, date string
	typ, msg         string
}{
	{"no authorization", "", "20250601T000000Z", "MissingAuthenticationTokenException", "Missing Authentication Token"},
	{"authorization with nothing in it", "X", "20250601T000000Z", "IncompleteSignatureException",
		"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=X"},
	{"no date", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250601/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00", "", "IncompleteSignatureException",
		"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250601/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00"},
}

func TestAuthAnswers(t *testing.T) {
	_, emulate := serve(t, emulated.New(), server.WithSignatureCheck("AKIDEXAMPLE", "secret"))
	kinesalite := kinesistest.StartKinesalite(t)
	for _, target := range []struct{ name, endpoint string }{{"emulate", emulate}, {"kinesalite", kinesalite.Endpoint}} {
		for _, row := range authRows {
			t.Run(target.name+"/"+row.name, func(t *testing.T) {
				req, err := http.NewRequestWithContext(t.Context(), "POST", target.endpoint+"/", strings.NewReader("{}"))
				require.NoError(t, err)
				req.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
				req.Header.Set("Content-Type", jsonType)
				if row.auth != "" {
					req.Header.Set("Authorization", row.auth)
				}
				if row.date != "" {
					req.Header.Set("X-Amz-Date", row.date)
				}
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				var body map[string]any
				require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
				assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
				assert.Equal(t, row.typ, body["__type"])
				assert.Equal(t, row.msg, body["message"])
			})
		}
	}
}
