package kinesis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kinesim/kinesim/stream"
)

// Compile-time checks that Target satisfies the contract.
var (
	_ stream.Target          = (*Target)(nil)
	_ stream.Resharder       = (*Target)(nil)
	_ stream.SingleWriter    = (*Target)(nil)
	_ stream.RetentionSetter = (*Target)(nil)
	_ stream.FanOut          = (*Target)(nil)
)

// LocalAccessKeyID and LocalSecretAccessKey sign requests to a loopback
// endpoint when neither WithStaticCredentials, WithProfile nor
// AWS_ACCESS_KEY_ID gives credentials: local emulators accept any.
const (
	LocalAccessKeyID     = "kinesim-local"
	LocalSecretAccessKey = "kinesim-local"
)

// localRegion is the region used with a loopback endpoint when none is set;
// emulators accept any region.
const localRegion = "us-east-1"

// Target is a Kinesis data stream endpoint: Amazon Kinesis or any
// Kinesis-compatible server. It is safe for concurrent use.
type Target struct {
	client   *kinesis.Client
	opts     options
	endpoint string // the base URL in use; empty for AWS's own
	region   string
	proxy    string
}

// New returns a Target configured the AWS way: the default credential chain,
// region and profile, and any endpoint override the SDK honours, each of
// which options can set instead. It makes no call to the service.
//
// The SDK's retryer is off (one attempt per call): kinesim's own retry policy
// is what a run measures, so a throttled or failed call comes back at once.
func New(ctx context.Context, opts ...Option) (*Target, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}

	httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConns = max(tr.MaxIdleConns, o.maxInFlight)
		tr.MaxIdleConnsPerHost = o.maxInFlight
		if !o.proxyFromEnv || o.dialAddr != "" {
			tr.Proxy = nil
		}
		if o.dialAddr != "" {
			tr.DialContext = dialTo(o.dialAddr)
		}
	})

	loadOpts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(httpClient),
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
	}
	if o.region != "" {
		loadOpts = append(loadOpts, config.WithRegion(o.region))
	}
	if o.profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(o.profile))
	}
	if o.staticCreds {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(o.accessKeyID, o.secretAccessKey, o.sessionToken)))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("kinesis: loading AWS configuration: %w", err)
	}

	// Resolve the endpoint the way the client will (explicit option, then
	// AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL, the profile's endpoint_url)
	// before deciding on region and credentials.
	endpoint := o.endpoint
	if endpoint == "" {
		if ep := kinesis.NewFromConfig(cfg).Options().BaseEndpoint; ep != nil {
			endpoint = *ep
		}
	}
	if endpoint != "" {
		if err := checkEndpoint(endpoint); err != nil {
			return nil, err
		}
	}
	local := endpoint != "" && isLoopback(endpoint)
	if local {
		if cfg.Region == "" {
			cfg.Region = localRegion
		}
		// Never let the default chain reach for the instance metadata
		// service (a non-loopback address) when talking to an emulator.
		if !o.staticCreds && o.profile == "" && os.Getenv("AWS_ACCESS_KEY_ID") == "" {
			cfg.Credentials = credentials.NewStaticCredentialsProvider(LocalAccessKeyID, LocalSecretAccessKey, "")
		}
	}
	if cfg.Region == "" {
		return nil, ErrNoRegion
	}

	client := kinesis.NewFromConfig(cfg, func(ko *kinesis.Options) {
		if o.endpoint != "" {
			ko.BaseEndpoint = aws.String(o.endpoint)
		}
		ko.HTTPClient = bodyWithoutWriteTo{ko.HTTPClient} // see httpclient.go
		ko.Retryer = aws.NopRetryer{}
		ko.RetryMaxAttempts = 0 // 0 keeps the NopRetryer as it is; AWS_MAX_ATTEMPTS must not wrap it
	})

	t := &Target{client: client, opts: o, endpoint: endpoint, region: cfg.Region}
	t.proxy = proxyFor(o.proxyFromEnv && o.dialAddr == "", t.requestURL())
	return t, nil
}

// Addr returns the host:port calls are addressed to: the endpoint's, or
// Amazon Kinesis's regional endpoint on port 443. (WithDialAddress may
// connect them elsewhere.)
func (t *Target) Addr() string {
	u, err := url.Parse(t.requestURL())
	if err != nil {
		return ""
	}
	if u.Port() != "" {
		return u.Host
	}
	port := "443"
	if u.Scheme == "http" {
		port = "80"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// Endpoint returns the base URL calls go to, or "" when they go to Amazon
// Kinesis's own regional endpoint (no override).
func (t *Target) Endpoint() string { return t.endpoint }

// Region returns the region requests are signed for.
func (t *Target) Region() string { return t.region }

// IsAWS reports whether calls go to Amazon Kinesis itself, where streams cost
// money: no endpoint override, or an override naming an amazonaws.com host.
// kinesim's cost guard asks for confirmation before creating anything then.
func (t *Target) IsAWS() bool {
	if t.endpoint == "" {
		return true
	}
	u, err := url.Parse(t.endpoint)
	if err != nil {
		return true
	}
	host := strings.ToLower(u.Hostname())
	return strings.HasSuffix(host, ".amazonaws.com") || strings.HasSuffix(host, ".amazonaws.com.cn")
}

// Proxy returns the HTTP proxy calls go through ("" for a direct connection),
// so that reports can name it.
func (t *Target) Proxy() string { return t.proxy }

// Describe returns a one-line description of where calls go, for logs and
// reports: "http://127.0.0.1:4567 (us-east-1)" or "Amazon Kinesis (eu-west-1)",
// with " via PROXY" when a proxy is used.
func (t *Target) Describe() string {
	where := "Amazon Kinesis"
	if t.endpoint != "" {
		where = t.endpoint
	}
	s := fmt.Sprintf("%s (%s)", where, t.region)
	if t.proxy != "" {
		s += " via " + t.proxy
	}
	return s
}

func (t *Target) requestURL() string {
	if t.endpoint != "" {
		return t.endpoint
	}
	return "https://kinesis." + t.region + ".amazonaws.com"
}

// ErrNoRegion is New's error when no option, environment variable or
// profile names a region: the user's configuration to fix, not a failure.
var ErrNoRegion = errors.New("kinesis: no AWS region: set one with --region, AWS_REGION or the profile's region")

// CheckEndpoint says whether endpoint is an http:// or https:// URL, as
// WithEndpoint needs: a command line can refuse a bad one as bad usage.
func CheckEndpoint(endpoint string) error { return checkEndpoint(endpoint) }

func checkEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("kinesis: endpoint %q is not an http:// or https:// URL (for example http://127.0.0.1:4567)", endpoint)
	}
	return nil
}

// isLoopback reports whether the endpoint's host is localhost or a loopback
// address.
func isLoopback(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func proxyFor(fromEnv bool, target string) string {
	if !fromEnv {
		return ""
	}
	req, err := http.NewRequest(http.MethodPost, target, nil)
	if err != nil {
		return ""
	}
	u, err := http.ProxyFromEnvironment(req)
	if err != nil || u == nil {
		return ""
	}
	return u.Redacted()
}
