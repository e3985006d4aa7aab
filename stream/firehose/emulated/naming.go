package emulated

import (
	"fmt"
	"strings"
	"time"

	"github.com/kinesim/kinesim/stream/delivery"
)

// Object keys, as the Firehose developer guide's "Configure Amazon S3 object
// name format" gives them: <evaluated prefix><suffix>, the suffix being
// <stream name>-<stream version>-<year>-<month>-<day>-<hour>-<minute>-<second>-<uuid><file extension>,
// the version beginning at 1; the default prefix is the UTC time
// YYYY/MM/dd/HH/. "When evaluating timestamps, Firehose uses the approximate
// arrival timestamp of the oldest record that's contained in the Amazon S3
// object being written" (Custom Prefixes page); kinesim uses the same
// instant for the suffix (unconfirmed).

// defaultTimePrefix is Firehose's time prefix in Go's layout.
const defaultTimePrefix = "2006/01/02/15/"

// defaultErrorPrefix stands in for an unset ErrorOutputPrefix (Firehose's
// own default for processing failures; unconfirmed in detail).
const defaultErrorPrefix = "processing-failed/"

// objectName is an object's suffix.
func objectName(stream string, version int, first time.Time, uuid string, c delivery.Compression) string {
	ext := ""
	if c == delivery.GZIP {
		ext = ".gz"
	}
	return fmt.Sprintf("%s-%d-%s-%s%s", stream, version, first.UTC().Format("2006-01-02-15-04-05"), uuid, ext)
}

// evalPrefix evaluates a prefix at t (the oldest record's arrival). A prefix
// without expressions gets the default time prefix appended, as Firehose
// does; expressions !{timestamp:FORMAT} (Java DateTimeFormatter letters
// yyyy, yy, MM, dd, HH, mm, ss), !{firehose:random-string} and
// !{firehose:error-output-type} are evaluated.
func evalPrefix(prefix string, t time.Time, errorOutput bool, random func() string) string {
	if errorOutput && prefix == "" {
		prefix = defaultErrorPrefix
	}
	if !strings.Contains(prefix, "!{") {
		return prefix + t.UTC().Format(defaultTimePrefix)
	}
	var out strings.Builder
	rest := prefix
	for {
		i := strings.Index(rest, "!{")
		j := strings.Index(rest[max(i, 0):], "}")
		if i < 0 || j < 0 {
			out.WriteString(rest)
			return out.String()
		}
		out.WriteString(rest[:i])
		out.WriteString(evalExpression(rest[i+2:i+j], t, random))
		rest = rest[i+j+1:]
	}
}

func evalExpression(expr string, t time.Time, random func() string) string {
	namespace, value, _ := strings.Cut(expr, ":")
	switch {
	case namespace == "timestamp":
		return t.UTC().Format(javaLayout(value))
	case namespace == "firehose" && value == "random-string":
		return strings.ReplaceAll(random(), "-", "")[:11]
	case namespace == "firehose" && value == "error-output-type":
		return "processing-failed"
	}
	return "!{" + expr + "}"
}

// javaLayout translates the DateTimeFormatter letters Firehose prefixes use
// into a Go layout.
var javaLayout = strings.NewReplacer("yyyy", "2006", "yy", "06", "MM", "01", "dd", "02", "HH", "15", "mm", "04", "ss", "05").Replace
