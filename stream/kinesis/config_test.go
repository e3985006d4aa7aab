package kinesis

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
)

// cleanAWSEnv makes the SDK see no AWS configuration but what a test sets:
// no variables, no shared files, no instance metadata service.
func cleanAWSEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KINESIS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
	} {
		t.Setenv(k, "") // restores the old value when the test ends
		os.Unsetenv(k)
	}
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestNewEndpointResolution(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		opts       []Option
		wantEP     string
		wantAWS    bool
		wantRegion string
	}{
		// No override: Amazon Kinesis itself, where the cost guard applies.
		{"AWS", nil, []Option{WithRegion("eu-west-1")}, "", true, "eu-west-1"},
		{"explicit endpoint", nil, []Option{WithEndpoint("http://127.0.0.1:4567")}, "http://127.0.0.1:4567", false, "us-east-1"},
		{"service-specific variable", map[string]string{"AWS_ENDPOINT_URL_KINESIS": "http://localhost:4568"}, nil, "http://localhost:4568", false, "us-east-1"},
		{"generic variable", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.2:9000"}, nil, "http://127.0.0.2:9000", false, "us-east-1"},
		// The service-specific variable wins over the generic one.
		{"both variables", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_KINESIS": "http://127.0.0.1:2"}, nil, "http://127.0.0.1:2", false, "us-east-1"},
		// The option wins over the environment.
		{"option over variable", map[string]string{"AWS_ENDPOINT_URL_KINESIS": "http://127.0.0.1:2"}, []Option{WithEndpoint("http://127.0.0.1:3")}, "http://127.0.0.1:3", false, "us-east-1"},
		// An override naming AWS is still AWS for the cost guard.
		{"override naming AWS", nil, []Option{WithEndpoint("https://kinesis.us-west-2.amazonaws.com"), WithRegion("us-west-2")}, "https://kinesis.us-west-2.amazonaws.com", true, "us-west-2"},
		{"region from the environment", map[string]string{"AWS_REGION": "ap-south-1"}, []Option{WithEndpoint("http://127.0.0.1:3")}, "http://127.0.0.1:3", false, "ap-south-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanAWSEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			tg, err := New(t.Context(), tt.opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.wantEP, tg.Endpoint())
			assert.Equal(t, tt.wantAWS, tg.IsAWS())
			assert.Equal(t, tt.wantRegion, tg.Region())
			if tt.wantEP != "" {
				got := tg.client.Options().BaseEndpoint
				require.NotNil(t, got, "the client's endpoint")
				assert.Equal(t, tt.wantEP, *got, "the client sends where Endpoint says")
			}
		})
	}
}

func TestNewNeedsARegionForAWS(t *testing.T) {
	cleanAWSEnv(t)
	_, err := New(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "region")
}

func TestNewRejectsABadEndpoint(t *testing.T) {
	cleanAWSEnv(t)
	_, err := New(t.Context(), WithEndpoint("127.0.0.1:4567"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "http://")
}

func TestLocalEndpointCredentials(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		opts []Option
		want string
	}{
		// None configured: fixed local ones, and no metadata service asked.
		{"none configured", nil, nil, LocalAccessKeyID},
		// kinesis-mock reads the account id from the access key id.
		{"environment wins", map[string]string{"AWS_ACCESS_KEY_ID": "123456789012", "AWS_SECRET_ACCESS_KEY": "secret"}, nil, "123456789012"},
		{"static option wins", nil, []Option{WithStaticCredentials("a", "b", "")}, "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanAWSEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			tg, err := New(t.Context(), append([]Option{WithEndpoint("http://127.0.0.1:4567")}, tt.opts...)...)
			require.NoError(t, err)
			creds, err := tg.client.Options().Credentials.Retrieve(t.Context())
			require.NoError(t, err)
			assert.Equal(t, tt.want, creds.AccessKeyID)
		})
	}
}

func TestRetryerIsOff(t *testing.T) {
	cleanAWSEnv(t)
	t.Setenv("AWS_MAX_ATTEMPTS", "7")
	tg, err := New(t.Context(), WithEndpoint("http://127.0.0.1:4567"))
	require.NoError(t, err)
	assert.Equal(t, 1, tg.client.Options().Retryer.MaxAttempts(), "one attempt per call")
}

func TestDescribe(t *testing.T) {
	cleanAWSEnv(t)
	tg, err := New(t.Context(), WithRegion("eu-west-1"), WithProxyFromEnvironment(false))
	require.NoError(t, err)
	assert.Equal(t, "Amazon Kinesis (eu-west-1)", tg.Describe())
	assert.Empty(t, tg.Proxy())

	tg, err = New(t.Context(), WithEndpoint("http://127.0.0.1:4567"))
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:4567 (us-east-1)", tg.Describe())
	assert.Empty(t, tg.Proxy(), "loopback never goes through a proxy")
}

func TestParseStreamRef(t *testing.T) {
	tests := []struct {
		in       string
		wantName string
		wantARN  bool
		wantErr  bool
	}{
		{"bikes", "bikes", false, false},                                              // a plain name
		{"arn:aws:kinesis:us-east-1:123456789012:stream/bikes", "bikes", true, false}, // a stream ARN
		{"arn:aws-cn:kinesis:cn-north-1:123456789012:stream/b.k-s_1", "b.k-s_1", true, false},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/bikes/consumer/c:1", "bikes", true, false}, // a consumer ARN names its stream
		{"arn:aws:s3:::bucket", "", false, true},                                                   // not Kinesis
		{"arn:aws:kinesis:us-east-1:123456789012:stream/", "", false, true},                        // no name
		{"arn:aws:kinesis:us-east-1:123456789012:consumer/x", "", false, true},                     // not a stream
		{"", "", false, true}, // empty
	}
	for _, tt := range tests {
		ref, err := parseStreamRef(tt.in)
		if tt.wantErr {
			assert.ErrorIs(t, err, stream.ErrInvalidArgument, "%q", tt.in)
			continue
		}
		require.NoError(t, err, "%q", tt.in)
		assert.Equal(t, tt.wantName, *ref.name, "%q", tt.in)
		assert.Equal(t, tt.wantARN, ref.arn != nil, "%q: ARN sent", tt.in)
	}
}

func TestIsLoopback(t *testing.T) {
	for url, want := range map[string]bool{
		"http://127.0.0.1:4567":                   true,
		"http://127.9.9.9":                        true,
		"http://localhost:1":                      true,
		"http://[::1]:4567":                       true,
		"https://kinesis.us-east-1.amazonaws.com": false,
		"http://10.0.0.1:4567":                    false,
		"http://example.com":                      false,
	} {
		assert.Equal(t, want, isLoopback(url), url)
	}
}
