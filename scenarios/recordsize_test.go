package scenarios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sized is a one-producer scenario with the given record_size, partition
// key and target.max_record_size (empty: the 1MiB default).
func sized(recordSize, keys, maxRecord string) string {
	target := "{shards: 1}"
	if maxRecord != "" {
		target = fmt.Sprintf("{shards: 1, max_record_size: %s}", maxRecord)
	}
	return fmt.Sprintf(`name: sized
duration: 10s
target: %s
producers:
  - name: p
    generator: bike
    options: {record_size: %s}
    partition_key: %s
    rate: [{constant: 10/s}]
`, target, recordSize, keys)
}

// TestRecordSizeAgainstLimit is issue 18 item 5: a record size that with
// its partition key passes the stream's record limit fails validation,
// naming file:line:column and the field, with sizes written as sizes.
func TestRecordSizeAgainstLimit(t *testing.T) {
	tests := []struct {
		name, recordSize, keys, maxRecord string
		want                              string // "" for valid
	}{
		{"1MiB with keys key-0..key-999", "1MiB", "{uniform: {keys: 1000}}", "",
			"x.yaml:7:28: producers[0].options.record_size: record_size 1MiB plus the longest partition key (7B) is over the stream's 1MiB record limit (target.max_record_size, which counts the key): those records would be dead-lettered; use at most 1048569B of data, or raise target.max_record_size (Kinesis allows up to 10MiB)"},
		{"just fits", "1048569", "{uniform: {keys: 1000}}", "", ""},
		{"one byte over", "1048570", "{uniform: {keys: 1000}}", "", "plus the longest partition key (7B)"},
		{"random keys are 16 bytes", "1048560", "random", "", ""},
		{"random keys, over", "1048561", "random", "", "(16B)"},
		{"hot key names", "{fixed: 1MiB}", "{hot: {share: 0.5}}", "", "(7B)"},
		{"5MiB on a 10MiB stream", "5MiB", "random", "10MiB", ""},
		{"5MiB on the default stream", "5MiB", "random", "", "record_size 5MiB plus"},
		{"10MiB on a 10MiB stream", "10MiB", "{zipf: {keys: 10, s: 1.1}}", "10MiB", "(5B) is over the stream's 10MiB record limit"},
		{"2GiB prints as a size", "2GiB", "random", "", "record_size 2GiB plus the longest partition key (16B) is over the stream's 1MiB record limit (target.max_record_size, which counts the key): those records would be dead-lettered; use at most 1048560B of data (Kinesis allows no record over 10MiB)"},
		{"uniform max", "{uniform: {min: 1KiB, max: 1MiB}}", "{field: bike_id}", "", "record_size's uniform max 1MiB plus the longest partition key (1B)"},
		{"normal mean", "{normal: {mean: 2MiB, stddev: 1KiB}}", "{field: bike_id}", "", "record_size's normal mean 2MiB"},
		{"lognormal median fits", "{lognormal: {median: 512KiB, sigma: 0.5}}", "random", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(sized(tt.recordSize, tt.keys, tt.maxRecord)), "x.yaml")
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "e+0", "sizes print as sizes")
		})
	}
}

func TestZeroRate(t *testing.T) {
	_, err := Parse([]byte(strings.Replace(sized("1KiB", "random", ""), "constant: 10/s", "constant: 0/s", 1)), "x.yaml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "x.yaml:9:23: producers[0].rate[0].constant: 0/s: the producer would never write")

	// A pause between segments is fine.
	_, err = Parse([]byte(strings.Replace(sized("1KiB", "random", ""), "[{constant: 10/s}]", "[{constant: 0/s, for: 2s}, {constant: 10/s}]", 1)), "x.yaml")
	assert.NoError(t, err)
}

func TestFormatSize(t *testing.T) {
	assert.Equal(t, "2GiB", FormatSize(2147483648))
	assert.Equal(t, "1048583B", FormatSize(1048583))
	assert.Equal(t, "1e+30B", FormatSize(1e30))
}
