package delivery_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kinesim/kinesim/stream/delivery"
)

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name string
		cfg  delivery.Config
		want string // substring of the error; "" for valid
	}{
		{"defaults are valid", delivery.Config{Name: "logs"}, ""},
		{"the largest hints", delivery.Config{Name: "logs", Buffering: delivery.BufferingHints{SizeInMBs: 128, IntervalInSeconds: 900}}, ""},
		{"zero buffering", delivery.Config{Name: "logs", Buffering: delivery.BufferingHints{ZeroBuffering: true}}, ""},
		{"size over 128", delivery.Config{Name: "logs", Buffering: delivery.BufferingHints{SizeInMBs: 129}}, "SizeInMBs 129 must be between 1 and 128"},
		{"interval over 900", delivery.Config{Name: "logs", Buffering: delivery.BufferingHints{IntervalInSeconds: 901}}, "IntervalInSeconds 901 must be between 0 and 900"},
		{"negative size", delivery.Config{Name: "logs", Buffering: delivery.BufferingHints{SizeInMBs: -1}}, "SizeInMBs -1"},
		{"no name", delivery.Config{}, "must have length between 1 and 64"},
		{"bad name", delivery.Config{Name: "a b"}, "must match"},
		{"bad bucket", delivery.Config{Name: "logs", BucketARN: "bucket"}, "not an S3 bucket ARN"},
		{"unknown compression", delivery.Config{Name: "logs", Compression: "ZSTD"}, "not emulated"},
		{"expressions need an error prefix", delivery.Config{Name: "logs", Prefix: "!{timestamp:yyyy}/"}, "ErrorOutputPrefix cannot be null"},
	}
	for _, tc := range cases {
		err := tc.cfg.Validate()
		if tc.want == "" {
			assert.NoError(t, err, tc.name)
			continue
		}
		if assert.Error(t, err, tc.name) {
			assert.Contains(t, err.Error(), tc.want, tc.name)
			assert.True(t, errors.Is(err, delivery.ErrInvalidArgument), "%s: %v is InvalidArgumentException", tc.name, err)
		}
	}
}
