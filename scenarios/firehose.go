package scenarios

import (
	"fmt"
	"regexp"
	"time"
)

// TargetFirehose is the target kind of an Amazon Data Firehose delivery
// stream (Direct PUT) with an S3 destination.
const TargetFirehose = "firehose"

// Firehose services: where a firehose target's delivery stream runs.
const (
	// FirehoseEmulated is kinesim's built-in delivery stream
	// (stream/firehose/emulated), in wall-clock or virtual time.
	FirehoseEmulated = "emulated"
	// FirehoseAWS is Amazon Data Firehose through aws-sdk-go-v2, or any
	// Firehose-compatible endpoint (target.endpoint), such as `kinesim emulate`.
	FirehoseAWS = "aws"
)

// Firehose compressions, as a scenario spells them.
const (
	CompressionNone = "none"
	CompressionGZIP = "gzip"
)

// Firehose limits and defaults a scenario must stay within. Source: the
// Firehose API reference, PutRecordBatch and BufferingHints (see
// docs/firehose.md).
const (
	// FirehoseMaxRecordSize is the largest Firehose record: 1,000 KiB.
	FirehoseMaxRecordSize = 1_024_000
	// FirehoseMaxBatchBytes is PutRecordBatch's limit: 4 MiB.
	FirehoseMaxBatchBytes = 4 * MiB
	// DefaultFirehoseBucket is the destination bucket unless firehose.bucket says.
	DefaultFirehoseBucket = "kinesim-delivery"
	// Buffering hint bounds and AWS's defaults.
	MinBufferSizeMB         = 1
	MaxBufferSizeMB         = 128
	DefaultBufferSizeMB     = 5
	MaxBufferInterval       = Duration(900 * time.Second)
	DefaultBufferInterval   = Duration(300 * time.Second)
	defaultFirehoseMaxBatch = FirehoseMaxBatchBytes
)

// FirehoseTarget is a firehose target's delivery stream and S3 destination.
// In YAML:
//
//	target:
//	  kind: firehose
//	  stream: web-logs
//	  firehose:
//	    bucket: smartcity-logs
//	    prefix: "logs/"
//	    buffering: {size_mb: 5, interval: 60s}
//	    compression: gzip
//	    newline: true
type FirehoseTarget struct {
	// Service is emulated (default: kinesim's own delivery stream, objects
	// written to a folder) or aws (Amazon Data Firehose, or the
	// Firehose-compatible target.endpoint).
	Service string `yaml:"service,omitempty" json:"service,omitempty"`
	// Bucket is the S3 destination bucket (default kinesim-delivery).
	Bucket string `yaml:"bucket,omitempty" json:"bucket,omitempty"`
	// Prefix goes before each object's name; empty: Firehose's UTC
	// YYYY/MM/DD/HH/ time prefix. A prefix without !{...} expressions gets
	// the time prefix appended, as Firehose does.
	Prefix string `yaml:"prefix,omitempty" json:"prefix,omitempty"`
	// ErrorPrefix goes before objects of records that failed processing;
	// required when prefix has !{...} expressions.
	ErrorPrefix string `yaml:"error_prefix,omitempty" json:"error_prefix,omitempty"`
	// Buffering says when an object is cut: at size_mb of data or interval
	// after its first record, whichever comes first.
	Buffering FirehoseBuffering `yaml:"buffering,omitempty" json:"buffering,omitempty"`
	// Compression is none (default) or gzip (objects end in .gz).
	Compression string `yaml:"compression,omitempty" json:"compression,omitempty"`
	// Newline appends a newline after each record (the
	// AppendDelimiterToRecord processor); Firehose adds none by default.
	Newline bool `yaml:"newline,omitempty" json:"newline,omitempty"`
	// Dir is the folder the emulated delivery stream writes its bucket to
	// (default: the run folder's s3/). Emulated service only.
	Dir string `yaml:"dir,omitempty" json:"dir,omitempty"`
	// S3Endpoint is an S3-compatible server (e.g. http://127.0.0.1:4569):
	// the emulated delivery stream writes its objects there instead of a
	// folder, and the run reads them back from it (path-style requests).
	// For service aws the run reads the bucket from it instead of Amazon S3.
	S3Endpoint string `yaml:"s3_endpoint,omitempty" json:"s3_endpoint,omitempty"`
	// Quota overrides the emulated stream's Direct PUT quota (default: the
	// region's, target.region, us-east-1 unless set).
	Quota *FirehoseQuota `yaml:"quota,omitempty" json:"quota,omitempty"`
	// RoleARN is the IAM role Amazon Data Firehose assumes to write to the
	// bucket; required for service aws on AWS itself (no target.endpoint).
	RoleARN string `yaml:"role_arn,omitempty" json:"role_arn,omitempty"`
	// Settle is how long a run on service aws waits after its last call for
	// Firehose to deliver what it buffered before reading the bucket back
	// (default the buffering interval plus 1m).
	Settle Duration `yaml:"settle,omitempty" json:"settle,omitempty"`
}

// FirehoseBuffering are the S3 destination's buffering hints.
type FirehoseBuffering struct {
	// SizeMB is the size hint in MiB, 1..128 (default 5).
	SizeMB int `yaml:"size_mb,omitempty" json:"size_mb,omitempty"`
	// Interval is the interval hint in whole seconds, 0s..900s (default 300s).
	Interval *Duration `yaml:"interval,omitempty" json:"interval,omitempty"`
}

// FirehoseQuota is a Direct PUT quota; each field over 0.
type FirehoseQuota struct {
	RecordsPerS  int      `yaml:"records_per_s" json:"records_per_s"`
	RequestsPerS int      `yaml:"requests_per_s" json:"requests_per_s"`
	BytesPerS    ByteSize `yaml:"bytes_per_s" json:"bytes_per_s"`
}

// IntervalOrDefault is the buffering interval, AWS's 300 s when unset.
func (b FirehoseBuffering) IntervalOrDefault() time.Duration {
	if b.Interval == nil {
		return DefaultBufferInterval.D()
	}
	return b.Interval.D()
}

// SizeOrDefault is the buffering size hint in MiB, AWS's 5 when unset.
func (b FirehoseBuffering) SizeOrDefault() int {
	if b.SizeMB == 0 {
		return DefaultBufferSizeMB
	}
	return b.SizeMB
}

// IsFirehose reports a firehose target.
func (t Target) IsFirehose() bool { return t.Kind == TargetFirehose }

// IsEmulated reports a target kinesim emulates in process: kind emulated,
// or kind firehose with service emulated. Only those run in virtual time.
func (t Target) IsEmulated() bool {
	return t.Kind == TargetEmulated || t.IsFirehose() && t.Firehose != nil && t.Firehose.Service == FirehoseEmulated
}

// applyFirehoseDefaults fills a firehose target's block and the limits
// PutRecordBatch sets on records and batches.
func applyFirehoseDefaults(s *Scenario, def func(path string) bool) {
	t := &s.Target
	if t.Kind != TargetFirehose {
		return
	}
	if t.Firehose == nil {
		t.Firehose = &FirehoseTarget{}
	}
	f := t.Firehose
	setDefault(&f.Service, FirehoseEmulated, def("target.firehose.service"))
	setDefault(&f.Bucket, DefaultFirehoseBucket, def("target.firehose.bucket"))
	setDefault(&f.Compression, CompressionNone, def("target.firehose.compression"))
	setDefault(&t.MaxRecordSize, FirehoseMaxRecordSize, def("target.max_record_size"))
	for i := range s.Producers {
		setDefault(&s.Producers[i].Batch.MaxBytes, defaultFirehoseMaxBatch, def(fmt.Sprintf("producers[%d].batch.max_bytes", i)))
	}
}

// bucketName is S3's rule for bucket names (3-63 of a-z, 0-9, '.', '-').
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// firehose checks a firehose target and what its scenario asks of it.
func (v *validator) firehose(s *Scenario) {
	t := &s.Target
	if t.Kind != TargetFirehose {
		if t.Firehose != nil {
			v.addf("target.firehose", "only a firehose target has a firehose block; set target.kind: firehose or leave it out")
		}
		if s.Objectives != nil && s.Objectives.MaxDataFreshness != 0 {
			v.addf("objectives.max_data_freshness", "a stream has no delivery buffer; max_data_freshness is for target.kind firehose")
		}
		return
	}
	f := t.Firehose
	if f == nil {
		f = &FirehoseTarget{}
	}
	switch f.Service {
	case FirehoseEmulated:
		if t.Endpoint != "" {
			v.addf("target.endpoint", "the emulated delivery stream runs in process; leave endpoint out or set firehose.service: aws")
		}
	case FirehoseAWS:
		if f.Dir != "" {
			v.addf("target.firehose.dir", "service aws delivers to S3, not a folder; set s3_endpoint to read from an S3-compatible server, or leave dir out")
		}
		if f.Quota != nil {
			v.addf("target.firehose.quota", "the quota of Amazon Data Firehose is AWS's; quota is for service emulated")
		}
		if f.RoleARN == "" && t.Endpoint == "" {
			v.addf("target.firehose.role_arn", "required on Amazon Data Firehose: the IAM role it assumes to write to the bucket, e.g. arn:aws:iam::123456789012:role/firehose-to-s3")
		}
	default:
		v.addf("target.firehose.service", "%q is not a Firehose service; use %s or %s", f.Service, FirehoseEmulated, FirehoseAWS)
	}
	if !bucketName.MatchString(f.Bucket) {
		v.addf("target.firehose.bucket", "%q is not an S3 bucket name; use 3-63 of a-z, 0-9, '.' and '-', e.g. smartcity-logs", f.Bucket)
	}
	if f.Buffering.SizeOrDefault() < MinBufferSizeMB || f.Buffering.SizeMB > MaxBufferSizeMB {
		v.addf("target.firehose.buffering.size_mb", "%d; use %d..%d (MiB, BufferingHints.SizeInMBs)", f.Buffering.SizeMB, MinBufferSizeMB, MaxBufferSizeMB)
	}
	if iv := f.Buffering.IntervalOrDefault(); iv > MaxBufferInterval.D() || iv%time.Second != 0 {
		v.addf("target.firehose.buffering.interval", "%v; use whole seconds from 0s to 900s (BufferingHints.IntervalInSeconds)", Duration(iv))
	}
	if f.Compression != CompressionNone && f.Compression != CompressionGZIP {
		v.addf("target.firehose.compression", "%q; use %s or %s", f.Compression, CompressionNone, CompressionGZIP)
	}
	if containsExpression(f.Prefix) && f.ErrorPrefix == "" {
		v.addf("target.firehose.error_prefix", "required when prefix has !{...} expressions, e.g. errors/!{firehose:error-output-type}/")
	}
	if q := f.Quota; q != nil && (q.RecordsPerS <= 0 || q.RequestsPerS <= 0 || q.BytesPerS <= 0) {
		v.addf("target.firehose.quota", "set records_per_s, requests_per_s and bytes_per_s, each over 0, e.g. {records_per_s: 100000, requests_per_s: 1000, bytes_per_s: 1MiB}")
	}
	between(v, "target.max_record_size", t.MaxRecordSize, 1, FirehoseMaxRecordSize, " (Firehose record size, 1,000 KiB)")
	for i, p := range s.Producers {
		between(v, fmt.Sprintf("producers[%d].batch.max_bytes", i), p.Batch.MaxBytes, 1, FirehoseMaxBatchBytes, " (PutRecordBatch)")
		if p.Stream != t.Stream {
			v.addf(fmt.Sprintf("producers[%d].stream", i), "a firehose target has one delivery stream, target.stream (%q); leave stream out", t.Stream)
		}
	}
	if o := s.Objectives; o != nil && o.MaxDataFreshness != 0 && (o.MaxDataFreshness < Duration(time.Second) || o.MaxDataFreshness%Duration(time.Second) != 0) {
		v.addf("objectives.max_data_freshness", "%v; use whole seconds of 1s or more, e.g. 2m", o.MaxDataFreshness)
	}
	if len(s.Consumers) > 0 {
		v.addf("consumers", "a delivery stream has no consumers: the run reads the S3 objects back instead; leave consumers out")
	}
}

func containsExpression(prefix string) bool {
	for i := 0; i+1 < len(prefix); i++ {
		if prefix[i] == '!' && prefix[i+1] == '{' {
			return true
		}
	}
	return false
}
