package firehose

import "time"

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
	waitTimeout     time.Duration
	pollEvery       time.Duration
}

func defaultOptions() options {
	return options{maxInFlight: DefaultMaxInFlight, waitTimeout: DefaultWaitTimeout, pollEvery: DefaultPollEvery}
}

// DefaultMaxInFlight is the number of concurrent calls the HTTP client keeps
// idle connections for unless WithMaxInFlight says otherwise.
const DefaultMaxInFlight = 64

// DefaultWaitTimeout bounds how long CreateDeliveryStream waits for ACTIVE
// and DeleteDeliveryStream for the stream to be gone. Creating a Firehose
// stream takes a few minutes on AWS.
const DefaultWaitTimeout = 10 * time.Minute

// DefaultPollEvery is how often those waits call DescribeDeliveryStream.
const DefaultPollEvery = 5 * time.Second

// WithRegion sets the AWS region. Default: the SDK's resolution
// (AWS_REGION, then the profile's region); New fails without one.
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithProfile selects a profile of the shared AWS config and credentials
// files. Default: AWS_PROFILE, else "default".
func WithProfile(profile string) Option { return func(o *options) { o.profile = profile } }

// WithEndpoint sends every call to url (for example kinesim's emulator on
// http://127.0.0.1:4567). Default: the SDK's resolution
// (AWS_ENDPOINT_URL_FIREHOSE, AWS_ENDPOINT_URL, the profile's endpoint_url),
// else Amazon Data Firehose itself.
func WithEndpoint(url string) Option { return func(o *options) { o.endpoint = url } }

// WithStaticCredentials signs requests with fixed credentials instead of the
// default credential chain; meant for local emulators and tests.
func WithStaticCredentials(accessKeyID, secretAccessKey, sessionToken string) Option {
	return func(o *options) {
		o.accessKeyID, o.secretAccessKey, o.sessionToken = accessKeyID, secretAccessKey, sessionToken
		o.staticCreds = true
	}
}

// WithMaxInFlight sizes the HTTP connection pool for n concurrent calls. It
// does not cap concurrency; the caller does. Default: DefaultMaxInFlight.
func WithMaxInFlight(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxInFlight = n
		}
	}
}

// WithWait sets how long CreateDeliveryStream and DeleteDeliveryStream wait
// for the stream to settle and how often they look. Defaults:
// DefaultWaitTimeout, DefaultPollEvery.
func WithWait(timeout, every time.Duration) Option {
	return func(o *options) {
		if timeout > 0 {
			o.waitTimeout = timeout
		}
		if every > 0 {
			o.pollEvery = every
		}
	}
}
