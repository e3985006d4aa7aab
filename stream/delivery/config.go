package delivery

import (
	"fmt"
	"strings"
)

// Buffering hints for an S3 destination. Source: Firehose API reference,
// BufferingHints: SizeInMBs 1-128, default 5; IntervalInSeconds 0-900,
// default 300. Firehose delivers when either is reached; the size counts the
// data before compression.
const (
	MinBufferSizeMBs         = 1
	MaxBufferSizeMBs         = 128
	DefaultBufferSizeMBs     = 5
	MinBufferIntervalSeconds = 0
	MaxBufferIntervalSeconds = 900
	DefaultBufferIntervalSec = 300
)

// BufferingHints say when Firehose cuts an object: at SizeInMBs MiB of data
// or IntervalInSeconds after the first record entered the buffer, whichever
// comes first. Zero fields mean the AWS defaults (5 MiB, 300 s); an interval
// of zero buffering is asked for with ZeroBuffering.
type BufferingHints struct {
	SizeInMBs         int
	IntervalInSeconds int
	// ZeroBuffering asks for IntervalInSeconds 0 (deliver at once), which a
	// zero IntervalInSeconds cannot say because zero means the default.
	ZeroBuffering bool
}

// WithDefaults returns h with zero fields set to AWS's defaults.
func (h BufferingHints) WithDefaults() BufferingHints {
	if h.SizeInMBs == 0 {
		h.SizeInMBs = DefaultBufferSizeMBs
	}
	if h.IntervalInSeconds == 0 && !h.ZeroBuffering {
		h.IntervalInSeconds = DefaultBufferIntervalSec
	}
	return h
}

// SizeBytes is the size hint in bytes.
func (h BufferingHints) SizeBytes() int { return h.WithDefaults().SizeInMBs << 20 }

// Compression is an S3 destination's CompressionFormat.
type Compression string

// The compression formats kinesim emulates (AWS also has ZIP, Snappy and
// HADOOP_SNAPPY).
const (
	Uncompressed Compression = "UNCOMPRESSED"
	GZIP         Compression = "GZIP"
)

// Config is a Direct PUT delivery stream with an extended S3 destination.
type Config struct {
	// Name is the DeliveryStreamName: 1-64 characters of [a-zA-Z0-9_.-].
	Name string
	// BucketARN is the destination bucket, arn:aws:s3:::NAME.
	BucketARN string
	// RoleARN is the IAM role Firehose assumes to write; the emulator keeps
	// it but checks nothing. Default: a placeholder role of account
	// 111111111111.
	RoleARN string
	// Prefix is put before each object name. Empty: Firehose's default time
	// prefix, UTC YYYY/MM/dd/HH/. A prefix without !{...} expressions gets
	// that time prefix appended, as Firehose does.
	Prefix string
	// ErrorOutputPrefix is put before objects of records that failed
	// processing. Required when Prefix has expressions.
	ErrorOutputPrefix string
	Buffering         BufferingHints
	// Compression defaults to Uncompressed. GZIP objects end in ".gz".
	Compression Compression
	// AppendNewline turns on the AppendDelimiterToRecord processor: Firehose
	// writes a newline after each record.
	AppendNewline bool
	// Tags are set on the stream at creation.
	Tags map[string]string
}

// Validate checks the config against the API's constraints.
func (c Config) Validate() error {
	if n := len(c.Name); n < 1 || n > 64 {
		return Errorf(CodeInvalidArgument, "DeliveryStreamName %q must have length between 1 and 64", c.Name)
	}
	if strings.Trim(c.Name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != "" {
		return Errorf(CodeInvalidArgument, "DeliveryStreamName %q must match [a-zA-Z0-9_.-]+", c.Name)
	}
	if c.BucketARN != "" && BucketName(c.BucketARN) == "" {
		return Errorf(CodeInvalidArgument, "BucketARN %q is not an S3 bucket ARN (arn:aws:s3:::NAME)", c.BucketARN)
	}
	h := c.Buffering.WithDefaults()
	if h.SizeInMBs < MinBufferSizeMBs || h.SizeInMBs > MaxBufferSizeMBs {
		return Errorf(CodeInvalidArgument, "BufferingHints.SizeInMBs %d must be between %d and %d", h.SizeInMBs, MinBufferSizeMBs, MaxBufferSizeMBs)
	}
	if h.IntervalInSeconds < MinBufferIntervalSeconds || h.IntervalInSeconds > MaxBufferIntervalSeconds {
		return Errorf(CodeInvalidArgument, "BufferingHints.IntervalInSeconds %d must be between %d and %d", h.IntervalInSeconds, MinBufferIntervalSeconds, MaxBufferIntervalSeconds)
	}
	switch c.Compression {
	case "", Uncompressed, GZIP:
	default:
		return Errorf(CodeInvalidArgument, "CompressionFormat %q is not emulated (want %s or %s)", c.Compression, Uncompressed, GZIP)
	}
	if strings.Contains(c.Prefix, "!{") && c.ErrorOutputPrefix == "" {
		return Errorf(CodeInvalidArgument, "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions")
	}
	return nil
}

// BucketName is the bucket an S3 bucket ARN names, or "" when arn is not one.
func BucketName(arn string) string {
	name, ok := strings.CutPrefix(arn, "arn:aws:s3:::")
	if !ok || name == "" || strings.Contains(name, "/") {
		return ""
	}
	return name
}

// BucketARN is the ARN of the bucket named name.
func BucketARN(name string) string { return fmt.Sprintf("arn:aws:s3:::%s", name) }
