package kinesis

import (
	"context"
	"net"
	"time"
)

// Option configures New.
type Option func(*options)

type options struct {
	region          string
	profile         string
	endpoint        string
	accessKeyID     string
	secretAccessKey string
	sessionToken    string
	staticCreds     bool
	maxInFlight     int
	proxyFromEnv    bool
	waitTimeout     time.Duration
	listShardsPage  int32
	dialAddr        string
}

func defaultOptions() options {
	return options{
		maxInFlight:  DefaultMaxInFlight,
		proxyFromEnv: true,
		waitTimeout:  DefaultWaitTimeout,
	}
}

// DefaultMaxInFlight is the number of concurrent calls the HTTP client keeps
// idle connections for unless WithMaxInFlight says otherwise.
const DefaultMaxInFlight = 64

// DefaultWaitTimeout bounds how long CreateStream, DeleteStream and the
// resharding calls wait for the stream to settle unless WithWaitTimeout says
// otherwise. AWS documents creation and resharding as taking "a few minutes".
const DefaultWaitTimeout = 5 * time.Minute

// WithRegion sets the AWS region. Default: the SDK's resolution (AWS_REGION,
// then the profile's region). A region is required even with an endpoint
// override because requests are signed for it; New fails without one.
func WithRegion(region string) Option {
	return func(o *options) { o.region = region }
}

// WithProfile selects a profile of the shared AWS config and credentials
// files. Default: AWS_PROFILE, else "default".
func WithProfile(profile string) Option {
	return func(o *options) { o.profile = profile }
}

// WithEndpoint sends every call to url (for example http://127.0.0.1:4567 for
// a local emulator) instead of the AWS endpoint of the region. Default: the
// SDK's resolution, which honours AWS_ENDPOINT_URL_KINESIS, then
// AWS_ENDPOINT_URL, then endpoint_url in the profile; with none of these,
// Amazon Kinesis itself. An explicit WithEndpoint wins over all of them.
func WithEndpoint(url string) Option {
	return func(o *options) { o.endpoint = url }
}

// WithStaticCredentials signs requests with fixed credentials instead of the
// default credential chain; meant for local emulators and tests.
// Default: the SDK's default credential chain (environment, shared files,
// SSO, web identity, container and instance roles).
func WithStaticCredentials(accessKeyID, secretAccessKey, sessionToken string) Option {
	return func(o *options) {
		o.accessKeyID, o.secretAccessKey, o.sessionToken = accessKeyID, secretAccessKey, sessionToken
		o.staticCreds = true
	}
}

// WithMaxInFlight sizes the HTTP connection pool for n concurrent calls: the
// client keeps up to n idle connections to the endpoint so that a steady load
// of n in-flight calls does not open and close connections. It does not cap
// concurrency; the caller does. Default: DefaultMaxInFlight (64).
func WithMaxInFlight(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxInFlight = n
		}
	}
}

// WithProxyFromEnvironment says whether HTTPS_PROXY, HTTP_PROXY and NO_PROXY
// apply, as they do for the AWS CLI and every SDK. Default: true. Loopback
// endpoints (127.0.0.1, localhost, [::1]) never go through a proxy either way
// (Go's net/http rule); Target.Proxy reports the proxy in use, if any, so
// reports can name it.
func WithProxyFromEnvironment(enabled bool) Option {
	return func(o *options) { o.proxyFromEnv = enabled }
}

// WithDialAddress makes every connection go to addr (host:port), such as a
// TCP proxy in front of the endpoint, while the endpoint stays what calls
// are addressed to: its URL, TLS server name, request signing, IsAWS and
// Describe are unchanged. An HTTP proxy from the environment does not apply
// then. Default: connect to the endpoint's own host.
func WithDialAddress(addr string) Option {
	return func(o *options) { o.dialAddr = addr }
}

// dialTo returns a DialContext that connects to addr whatever the request's host.
func dialTo(addr string) func(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
}

// WithWaitTimeout bounds how long CreateStream waits for ACTIVE, DeleteStream
// for the stream to be gone, and resharding calls for ACTIVE again; the
// caller's context can end the wait sooner. Default: DefaultWaitTimeout.
func WithWaitTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.waitTimeout = d
		}
	}
}

// withListShardsPageSize sets ListShards' MaxResults (default: the service's,
// 1,000 on AWS); tests use small pages to exercise pagination.
func withListShardsPageSize(n int32) Option {
	return func(o *options) { o.listShardsPage = n }
}
