package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const firehoseScenario = `name: web-logs
duration: 1m
target:
  kind: firehose
  stream: web-logs
  firehose:
    bucket: smartcity-logs
    buffering: {size_mb: 1, interval: 60s}
    compression: gzip
    newline: true
producers:
  - {name: web, generator: logs, rate: [{constant: 100/s}]}
`

func TestFirehoseDefaults(t *testing.T) {
	s, err := Parse([]byte(firehoseScenario), "x.yaml")
	require.NoError(t, err)
	f := s.Target.Firehose
	require.NotNil(t, f)
	assert.Equal(t, FirehoseEmulated, f.Service, "the emulated delivery stream unless service says")
	assert.Equal(t, ByteSize(FirehoseMaxRecordSize), s.Target.MaxRecordSize, "records up to 1,000 KiB")
	assert.Equal(t, ByteSize(FirehoseMaxBatchBytes), s.Producers[0].Batch.MaxBytes, "PutRecordBatch's 4 MiB")
	assert.Equal(t, 60*time.Second, f.Buffering.IntervalOrDefault())
	assert.True(t, s.Target.IsEmulated())

	s, err = Parse([]byte(strings.Replace(firehoseScenario, "    buffering: {size_mb: 1, interval: 60s}\n", "", 1)), "x.yaml")
	require.NoError(t, err)
	assert.Equal(t, 300*time.Second, s.Target.Firehose.Buffering.IntervalOrDefault(), "AWS's default interval")
	assert.Equal(t, 5, s.Target.Firehose.Buffering.SizeOrDefault(), "AWS's default size")
}

func TestFirehoseErrors(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{
			// A size hint over BufferingHints' range.
			"size over 128", "size_mb: 1,", "size_mb: 200,",
			`8:26: target.firehose.buffering.size_mb: 200; use 1..128 (MiB, BufferingHints.SizeInMBs)`,
		},
		{
			// An interval over 900 s.
			"interval over 900s", "interval: 60s", "interval: 20m",
			`8:39: target.firehose.buffering.interval: 20m; use whole seconds from 0s to 900s (BufferingHints.IntervalInSeconds)`,
		},
		{
			// A compression Firehose has but kinesim does not emulate.
			"compression", "compression: gzip", "compression: snappy",
			`9:18: target.firehose.compression: "snappy"; use none or gzip`,
		},
		{
			// Bucket names are lower case.
			"bucket", "bucket: smartcity-logs", "bucket: SmartCity",
			`7:13: target.firehose.bucket: "SmartCity" is not an S3 bucket name; use 3-63 of a-z, 0-9, '.' and '-', e.g. smartcity-logs`,
		},
		{
			// A misspelt field is an error, not ignored.
			"unknown field", "newline: true", "newlines: true",
			`10:5: target.firehose.newlines: unknown field "newlines"; did you mean "newline"? (allowed: service, bucket, prefix, error_prefix, buffering, compression, newline, dir, s3_endpoint, quota, role_arn, settle)`,
		},
		{
			// A batch over PutRecordBatch's 4 MiB.
			"batch bytes", "generator: logs,", "generator: logs, batch: {max_bytes: 5MiB},",
			`12:53: producers[0].batch.max_bytes: 5MiB is over the PutRecordBatch limit; use 1B..4MiB`,
		},
		{
			// A delivery stream has no consumers.
			"consumers", "producers:", "consumers: [{name: c}]\nproducers:",
			`11:12: consumers: a delivery stream has no consumers: the run reads the S3 objects back instead; leave consumers out`,
		},
		{
			// A role is required on AWS itself.
			"aws needs a role", "    bucket:", "    service: aws\n    bucket:",
			`7:5: target.firehose.role_arn: required on Amazon Data Firehose: the IAM role it assumes to write to the bucket, e.g. arn:aws:iam::123456789012:role/firehose-to-s3`,
		},
		{
			// A Firehose-compatible endpoint needs no role.
			"aws endpoint", "  firehose:\n    bucket:", "  endpoint: http://127.0.0.1:4567\n  firehose:\n    service: aws\n    bucket:",
			``,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(firehoseScenario, tt.old, tt.new, 1)
			require.NotEqual(t, firehoseScenario, src, "the row changes the scenario")
			_, err := Parse([]byte(src), "x.yaml")
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, "x.yaml:"+tt.want, err.Error())
		})
	}
}

func TestFailedDeliveryNeedsEmulatedFirehose(t *testing.T) {
	src := strings.Replace(firehoseScenario, "name: web-logs\n", "name: web-logs\nchaos:\n  - {at: 10s, for: 10s, failed_delivery: {count: 2, after_write: true}}\n", 1)
	_, err := Parse([]byte(src), "x.yaml")
	require.NoError(t, err)
	_, err = Parse([]byte(strings.Replace(src, "kind: firehose", "kind: emulated", 1)), "x.yaml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "chaos[0].failed_delivery: fails the emulated delivery stream's S3 deliveries; it needs target.kind firehose with firehose.service emulated")
}

// TestFirehoseQuotaFaultValidation: a firehose_quota fault lowers some
// rate, none below 1, on the emulated delivery stream only; errors name
// the file, line and field.
func TestFirehoseQuotaFaultValidation(t *testing.T) {
	tests := []struct {
		name, fault, target, want string
	}{
		{"records", "{at: 10s, for: 20s, firehose_quota: {records_per_s: 1000}}", "", ""},
		{"all three", "{at: 10s, for: 20s, firehose_quota: {records_per_s: 1000, requests_per_s: 10, bytes_per_s: 64KiB}}", "", ""},
		{"no rate", "{at: 10s, for: 20s, firehose_quota: {}}", "",
			"x.yaml:14:41: chaos[0].firehose_quota: sets no rate; set records_per_s, requests_per_s or bytes_per_s, e.g. {records_per_s: 1000}"},
		{"negative", "{at: 10s, for: 20s, firehose_quota: {requests_per_s: -5}}", "",
			"x.yaml:14:58: chaos[0].firehose_quota.requests_per_s: -5; use 1 or more a second (or leave it out to keep the stream's own)"},
		{"no window", "{at: 10s, firehose_quota: {records_per_s: 1000}}", "",
			"x.yaml:14:5: chaos[0].for: required for firehose_quota: how long the fault lasts, e.g. 10s"},
		{"not firehose", "{at: 10s, for: 20s, firehose_quota: {records_per_s: 1000}}", "kind: emulated",
			"x.yaml:14:41: chaos[0].firehose_quota: lowers the emulated delivery stream's Direct PUT quota; it needs target.kind firehose with firehose.service emulated"},
		{"misspelt", "{at: 10s, for: 20s, firehose_quota: {record_per_s: 1000}}", "",
			`x.yaml:14:42: chaos[0].firehose_quota.record_per_s: unknown field "record_per_s"; did you mean "records_per_s"? (allowed: records_per_s, requests_per_s, bytes_per_s)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := firehoseScenario + "chaos:\n  - " + tt.fault + "\n"
			if tt.target != "" {
				src = strings.Replace(src, "kind: firehose", tt.target, 1)
			}
			s, err := Parse([]byte(src), "x.yaml")
			if tt.want == "" {
				require.NoError(t, err)
				assert.Equal(t, FaultFirehoseQuota, s.Chaos[0].Kind())
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
