package server

import (
	"fmt"
	"strings"

	"github.com/kinesim/kinesim/stream/delivery"
)

// validation collects breaches of the API model's constraints and reports
// them as AWS does: "2 validation errors detected: Value null at
// 'deliveryStreamName' failed to satisfy constraint: Member must not be
// null; ...", as ValidationException. Member names are the model's, in
// lower camel case, dotted for nested members.
type validation struct{ problems []string }

func (v *validation) add(value any, member, constraint string) {
	shown := "null"
	switch x := value.(type) {
	case nil:
	case string:
		shown = "'" + x + "'"
	default:
		shown = fmt.Sprintf("'%v'", x)
	}
	v.problems = append(v.problems, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", shown, member, constraint))
}

// streamName checks a required DeliveryStreamName: 1-64 characters of
// [a-zA-Z0-9_.-].
func (v *validation) streamName(name *string) {
	const member = "deliveryStreamName"
	if name == nil {
		v.add(nil, member, "Member must not be null")
		return
	}
	v.stringLength(name, member, 1, 64)
	if *name != "" && strings.Trim(*name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != "" {
		v.add(*name, member, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
	}
}

func (v *validation) stringLength(s *string, member string, lo, hi int) {
	if s != nil && (len(*s) < lo || len(*s) > hi) {
		v.add(*s, member, fmt.Sprintf("Member must have length between %d and %d, inclusive", lo, hi))
	}
}

func (v *validation) intRange(n *int64, member string, lo, hi int64) {
	switch {
	case n == nil:
	case *n < lo:
		v.add(*n, member, "Member must have value greater than or equal to "+itoa64(lo))
	case *n > hi:
		v.add(*n, member, "Member must have value less than or equal to "+itoa64(hi))
	}
}

func (v *validation) oneOf(s *string, member string, values ...string) {
	if s == nil {
		return
	}
	for _, ok := range values {
		if *s == ok {
			return
		}
	}
	v.add(*s, member, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

// s3Config checks an S3 destination's members: BucketARN and RoleARN
// required (1-2048), the buffering hints' ranges, the compression enum.
func (v *validation) s3Config(c *s3ConfigJSON, member string) {
	for _, m := range []struct {
		s    *string
		name string
	}{{c.BucketARN, "bucketARN"}, {c.RoleARN, "roleARN"}} {
		if m.s == nil {
			v.add(nil, member+"."+m.name, "Member must not be null")
		}
		v.stringLength(m.s, member+"."+m.name, 1, 2048)
	}
	if h := c.BufferingHints; h != nil {
		v.intRange(h.SizeInMBs, member+".bufferingHints.sizeInMBs", delivery.MinBufferSizeMBs, delivery.MaxBufferSizeMBs)
		v.intRange(h.IntervalInSeconds, member+".bufferingHints.intervalInSeconds", delivery.MinBufferIntervalSeconds, delivery.MaxBufferIntervalSeconds)
	}
	v.oneOf(c.CompressionFormat, member+".compressionFormat", "UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY")
	v.stringLength(c.Prefix, member+".prefix", 0, 1024)
	v.stringLength(c.ErrorOutputPrefix, member+".errorOutputPrefix", 0, 1024)
}

// err returns the ValidationException, or nil when nothing broke.
func (v *validation) err() error {
	switch n := len(v.problems); n {
	case 0:
		return nil
	case 1:
		return delivery.Errorf(delivery.CodeValidation, "1 validation error detected: %s", v.problems[0])
	default:
		return delivery.Errorf(delivery.CodeValidation, "%d validation errors detected: %s", n, strings.Join(v.problems, "; "))
	}
}
