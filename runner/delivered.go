package runner

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/stream/delivery"
)

// DeliveryCheck is how a run on a Firehose target reads its S3 destination
// back once the producers are done: every object the delivery stream wrote
// is read, its records matched by id against the ledger (lost, duplicated,
// unknown), and each record's freshness measured from its intended send
// time to its object's LastModified.
type DeliveryCheck struct {
	// Destination is the folder or bucket the delivery stream writes to.
	Destination delivery.Destination
	// Settle returns once the delivery stream has delivered what it
	// accepted (the emulator's Drain; a wait on Amazon Data Firehose).
	Settle func(ctx context.Context) error
	// BufferSizeMB, BufferInterval and Compression are the stream's
	// settings, for the report.
	BufferSizeMB   int
	BufferInterval time.Duration
	Compression    string
}

// DestinationConsumer is the name of the S3 read-back in the ledger and in
// the verification's consumers.
const DestinationConsumer = "s3-destination"

// Histogram ranges of the read-back: freshness 1 ms to Firehose's 24 h of
// retries and more; object sizes 1 B to 1 GiB; records per object.
const (
	maxFreshnessMs   = int64(48 * time.Hour / time.Millisecond)
	maxObjectBytes   = int64(1 << 30)
	maxObjectRecords = int64(1 << 32)
)

// destinationReader reads the delivered objects into the ledger and the
// delivery report.
type destinationReader struct {
	check     *DeliveryCheck
	stream    string
	ledger    *ledger.Consumer
	freshness *hdrhistogram.Histogram
	sizes     *hdrhistogram.Histogram
	perObject *hdrhistogram.Histogram
	out       *result.Delivery
}

// readDestination settles the delivery stream, reads its destination back
// into the ledger as the consumer DestinationConsumer, and returns the
// delivery report and that consumer's verdict (lost records fail it;
// duplicates are at-least-once delivery's and do not).
func readDestination(ctx context.Context, check *DeliveryCheck, streamName string, led *ledger.Ledger, duration time.Duration) (*result.Delivery, result.ConsumerVerdict) {
	d := &destinationReader{
		check:     check,
		stream:    streamName,
		ledger:    led.Consumer(DestinationConsumer),
		freshness: hdrhistogram.New(1, maxFreshnessMs, 3),
		sizes:     hdrhistogram.New(1, maxObjectBytes, 3),
		perObject: hdrhistogram.New(1, maxObjectRecords, 3),
		out: &result.Delivery{DeliveryStream: streamName, Destination: check.Destination.String(), BufferSizeMB: check.BufferSizeMB,
			BufferIntervalS: check.BufferInterval.Seconds(), Compression: check.Compression},
	}
	err := check.Settle(ctx)
	if err == nil {
		err = check.Destination.Objects(ctx, streamName, func(o delivery.Object) error { return d.object(ctx, o) })
	}
	if err != nil {
		d.out.Error = err.Error()
	}
	verdict := d.ledger.Verdict()
	verdict.Judge(map[string]int64{"lost": 0})
	if err != nil {
		verdict.Failures = append(verdict.Failures, "the destination could not be read: "+err.Error())
		verdict.Passed = false
	}
	out := d.out
	out.DistinctRecords, out.DuplicateRecords, out.LostRecords = verdict.DistinctRecords, verdict.DuplicateDeliveries, verdict.Lost
	out.UnknownRecords = verdict.Unknown
	if hours := duration.Hours(); hours > 0 {
		out.ObjectsPerHour = float64(out.Objects) / hours
	}
	out.FreshnessMs = countPercentiles(d.freshness)
	out.ObjectBytes = countPercentiles(d.sizes)
	out.RecordsPerObject = countPercentiles(d.perObject)
	return out, verdict
}

// object reads one object's records into the ledger.
func (d *destinationReader) object(ctx context.Context, o delivery.Object) error {
	body, err := d.check.Destination.Read(ctx, o)
	if err != nil {
		return err
	}
	d.out.Objects++
	d.out.StoredBytes += int64(len(body))
	_ = d.sizes.RecordValue(min(max(int64(len(body)), 1), maxObjectBytes))
	if strings.HasSuffix(o.Key, ".gz") {
		if body, err = gunzip(body); err != nil {
			return fmt.Errorf("object %s: %w", o.Key, err)
		}
	}
	records := int64(0)
	eachRecord(body, func(id string, sent time.Time) {
		records++
		d.out.Records++
		if d.ledger.Delivered(ledger.Delivery{RecordID: id, At: o.LastModified}) {
			ms := o.LastModified.Sub(sent).Milliseconds()
			_ = d.freshness.RecordValue(min(max(ms, 1), maxFreshnessMs))
		}
	})
	_ = d.perObject.RecordValue(min(max(records, 1), maxObjectRecords))
	return nil
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return io.ReadAll(zr)
}

// eachRecord calls fn with the id and intended send time of every record
// in an object's data. Firehose concatenates records, with a newline after
// each only when the stream appends one, so records are found by the
// metadata every generator writes (generators.NextMeta), not by splitting.
func eachRecord(data []byte, fn func(id string, sent time.Time)) {
	for len(data) > 0 {
		id, sent, rest, ok := generators.NextMeta(data)
		if !ok {
			return
		}
		fn(id, sent)
		data = rest
	}
}

// countPercentiles summarizes a histogram of plain counts (not
// microseconds) as Percentiles.
func countPercentiles(h *hdrhistogram.Histogram) result.Percentiles {
	if h.TotalCount() == 0 {
		return result.Percentiles{}
	}
	return result.Percentiles{
		Count: h.TotalCount(),
		P50:   float64(h.ValueAtQuantile(50)),
		P90:   float64(h.ValueAtQuantile(90)),
		P99:   float64(h.ValueAtQuantile(99)),
		P999:  float64(h.ValueAtQuantile(99.9)),
		Max:   float64(h.Max()),
		Mean:  h.Mean(),
	}
}
