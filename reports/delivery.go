package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/kinesim/kinesim/result"
)

// deliveryLines are a Firehose run's delivery facts, one per line, for the
// text and Markdown summaries.
func deliveryLines(d *result.Delivery) [][2]string {
	interval := roundSeconds(d.BufferIntervalS)
	rows := [][2]string{
		{"destination", fmt.Sprintf("%s (buffering %d MiB or %s, compression %s)", d.Destination, d.BufferSizeMB, interval, d.Compression)},
		{"objects", fmt.Sprintf("%s (%.1f per hour), %s stored; size p50 %s, p99 %s, max %s; records per object p50 %s, max %s",
			thousands(d.Objects), d.ObjectsPerHour, byteSize(float64(d.StoredBytes)), byteSize(d.ObjectBytes.P50), byteSize(d.ObjectBytes.P99),
			byteSize(d.ObjectBytes.Max), thousands(int64(d.RecordsPerObject.P50)), thousands(int64(d.RecordsPerObject.Max)))},
		{"records in S3", fmt.Sprintf("%s (%s distinct), lost %s, duplicates %s, unknown %s",
			thousands(d.Records), thousands(d.DistinctRecords), thousands(d.LostRecords), thousands(d.DuplicateRecords), thousands(d.UnknownRecords))},
		{"freshness", fmt.Sprintf("intended send to object LastModified: p50 %s, p90 %s, p99 %s, max %s",
			seconds(d.FreshnessMs.P50), seconds(d.FreshnessMs.P90), seconds(d.FreshnessMs.P99), seconds(d.FreshnessMs.Max))},
	}
	if d.Error != "" {
		rows = append(rows, [2]string{"read-back error", d.Error})
	}
	return rows
}

// WriteDelivery prints the delivery section of the summary (nothing for a
// stream run).
func WriteDelivery(w io.Writer, d *result.Delivery) error {
	if d == nil {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "delivery   Firehose stream %q to S3, read back:\n", d.DeliveryStream)
	for _, row := range deliveryLines(d) {
		fmt.Fprintf(&b, "  %-14s %s\n", row[0], row[1])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeDeliveryMarkdown adds the delivery section to a Markdown summary.
func writeDeliveryMarkdown(b *strings.Builder, d *result.Delivery) {
	if d == nil {
		return
	}
	fmt.Fprintf(b, "\n### Delivery to S3: Firehose stream `%s`\n\n| | |\n|---|---|\n", d.DeliveryStream)
	for _, row := range deliveryLines(d) {
		fmt.Fprintf(b, "| %s | %s |\n", row[0], markdownEscape(row[1]))
	}
}

// byteSize formats a byte count as B, KiB, MiB or GiB.
func byteSize(n float64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", n/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MiB", n/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", n/(1<<10))
	}
	return fmt.Sprintf("%.0f B", n)
}

// seconds formats milliseconds as seconds.
func seconds(ms float64) string { return fmt.Sprintf("%.1fs", ms/1000) }
