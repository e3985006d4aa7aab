// Package kinesis is the stream.Target for Amazon Kinesis Data Streams and
// any Kinesis-compatible endpoint (kinesalite, kinesis-mock, LocalStack),
// through aws-sdk-go-v2. It is the only package in kinesim that imports the
// AWS SDK; everything above it speaks the stream contract.
//
// # Configuration
//
// New configures the client the AWS way: the default credential chain,
// region and profile, and the SDK's endpoint resolution
// (AWS_ENDPOINT_URL_KINESIS, then AWS_ENDPOINT_URL, then the profile's
// endpoint_url). WithRegion, WithProfile, WithEndpoint and
// WithStaticCredentials override each. With a loopback endpoint and no
// credentials configured, requests are signed with fixed local credentials
// (emulators accept any) and the instance metadata service is never asked.
// Target.IsAWS says whether calls go to Amazon Kinesis itself, where streams
// cost money, so that the caller can ask for confirmation first.
//
// Streams are addressed by name or by ARN (arn:aws:kinesis:REGION:ACCOUNT:
// stream/NAME) wherever the contract takes a stream name; an ARN is sent
// with the name it holds, which AWS accepts and which servers without ARN
// support (kinesalite) resolve by name.
//
// # Retries are kinesim's, not the SDK's
//
// The SDK's retryer is replaced by aws.NopRetryer: every call is made exactly
// once, AWS_MAX_ATTEMPTS and AWS_RETRY_MODE notwithstanding, and no
// client-side retry quota or rate limiter applies. kinesim's own retry policy
// (exponential backoff, full jitter, a dead letter file) is what a run
// measures; an SDK retrying PutRecords behind it would hide throttling,
// inflate latency and duplicate records unseen.
//
// # HTTP
//
// WithMaxInFlight sizes the connection pool: idle connections per host are
// kept for as many calls as the caller runs at once, so a steady load does
// not open and close connections. Proxies come from HTTPS_PROXY, HTTP_PROXY
// and NO_PROXY, as for the AWS CLI, unless WithProxyFromEnvironment(false);
// a loopback endpoint never goes through a proxy. Target.Proxy and
// Target.Describe name the proxy in use so that reports show it. Request
// bodies reach net/http without their WriteTo method, to avoid a race in the
// SDK that fails calls whose records were written (see httpclient.go).
//
// # Errors
//
// Answers from the service become *stream.APIError values carrying the
// Kinesis error code, so errors.Is(err, stream.ErrThrottled),
// stream.ErrNotFound, stream.ErrExpiredIterator, stream.ErrLimitExceeded,
// stream.ErrInvalidArgument, stream.ErrInUse and stream.ErrInternal work as
// with every target; a 5xx whose code the contract does not know becomes
// InternalFailure, and ThrottlingException (the generic AWS request-rate
// answer) becomes LimitExceededException. Other codes are kept as the
// server sent them: ValidationException (a request breaking the API model's
// constraints, which matches stream.ErrInvalidArgument), KMS*,
// UnknownOperationException, ... Failures that are not answers (refused
// connections, timeouts, canceled contexts) are wrapped unchanged.
// PutRecords reports per-record failures in its output, never as an error.
//
// # Servers: the capability matrix
//
// The tests run against kinesalite 3.3.3 and kinesis-mock (npm kinesis-local
// 0.6.2), which tools/testservers/install.sh installs and package kinesistest
// starts. What each supports, as the tests assert it:
//
//	call or behaviour                 kinesalite 3.3.3           kinesis-mock 0.6.2
//	CreateStream provisioned          yes                        yes
//	CreateStream on-demand            no (ValidationException)   yes
//	CreateStream Tags                 ignored (driver adds them) yes
//	DeleteStream, DescribeStreamSummary, ListStreams, tags   yes  yes
//	PutRecords, PutRecord, GetShardIterator, GetRecords      yes  yes
//	Increase/DecreaseStreamRetentionPeriod                   yes  yes
//	ListShards pagination             ignores MaxResults         NextToken pages
//	addressing by StreamARN           by name only (driver)      yes
//	SplitShard, MergeShards           yes                        yes
//	UpdateShardCount                  no (UnknownOperationException) yes
//	GetRecords ChildShards            no (NextShardIterator only) yes
//	malformed iterator                InvalidArgumentException   HTTP 500 (InternalFailure)
//	GetRecords Limit > 10,000         ValidationException        InvalidArgumentException
//	per-shard limits, throttling      never                      never
//	Register/Deregister/ListStreamConsumers no                yes
//	SubscribeToShard                  no                         yes, without initial-response;
//	                                                             a refused one is an in-stream exception
//
// Throttling is therefore tested on the emulated stream (stream/emulated)
// and through chaos injection, and the error mapping of answers neither
// server gives (throttling, 5xx, ThrottlingException) against a loopback
// HTTP server with canned answers.
//
// # Enhanced fan-out
//
// A Target implements stream.FanOut. The consumer calls take a stream name
// or ARN (a name is resolved to its ARN with DescribeStreamSummary, as the
// API takes ARNs only); RegisterStreamConsumer waits until the consumer is
// ACTIVE and DeregisterStreamConsumer until it is gone, bounded by
// WithWaitTimeout. SubscribeToShard reads the response's event stream over
// HTTP/2 or HTTP/1.1 alike (the SDK needs HTTP/2 only for event streams in
// both directions), returns once the first message arrives so that a
// refused subscription fails the call on every server, and treats the
// initial-response event as optional: AWS sends it, kinesis-mock does not.
// Each subscription gets a protocol value of its own, because the SDK's
// shares one event-stream decoder between a client's subscriptions.
//
// Besides stream.Target, a Target implements the optional stream.Resharder,
// stream.SingleWriter, stream.RetentionSetter, stream.Describer and
// stream.FanOut, and offers what a run on real streams needs beyond the
// contract: ListStreams,
// StreamTags and StreamsTagged (for `kinesim cleanup`, with stream.TagRunID).
//
// A Target is safe for concurrent use by many goroutines.
package kinesis
