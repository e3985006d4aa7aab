package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/kinesim/kinesim/result"
)

// WriteVerification prints the verification section of the summary.
func WriteVerification(w io.Writer, v *result.Verification) error {
	if v == nil {
		return nil
	}
	var b strings.Builder
	state := "PASSED"
	switch {
	case !v.Passed:
		state = "FAILED"
	case v.Incomplete != "":
		state = "INCOMPLETE"
	}
	fmt.Fprintf(&b, "verification %s\n", state)
	if v.Incomplete != "" {
		fmt.Fprintf(&b, "  %s\n", v.Incomplete)
	}
	for _, c := range v.Consumers {
		verdict := "ok"
		if !c.Passed {
			verdict = "FAILED: " + strings.Join(c.Failures, ", ")
		}
		fmt.Fprintf(&b, "  %-12s delivered %s of %s  lost %s  duplicate deliveries %s  duplicate effects %s  reordered %s  not acknowledged %s  unknown ids %s  %s\n",
			c.Consumer, thousands(c.DistinctRecords), thousands(c.Acknowledged), thousands(c.Lost),
			thousands(c.DuplicateDeliveries), thousands(c.DuplicateEffects), thousands(c.Reordered),
			thousands(c.DeliveredNotAcknowledged), thousands(c.Unknown), verdict)
		if c.DeliveredNotAcknowledged > 0 {
			// Not a loss: the producer never heard back, so it retried (or
			// gave up), and the stream holds the write all the same.
			fmt.Fprintf(&b, "  %-12s not acknowledged %s: delivered, though their writes' acknowledgements never reached the producer (lost by chaos or a timeout); "+
				"the retries wrote them again, or they were dead-lettered though stored\n", "", thousands(c.DeliveredNotAcknowledged))
		}
		if c.Unread > 0 {
			fmt.Fprintf(&b, "  %-12s not read yet %s (not lost: the backlog when the run ended", "", thousands(c.Unread))
			if c.ReadRatePerS > 0 {
				fmt.Fprintf(&b, "; %.0f s more at the %.0f records/s it read", c.UnreadReadS, c.ReadRatePerS)
			}
			b.WriteString(")\n")
		}
		if c.BeforeStart > 0 || c.FilteredOut > 0 {
			fmt.Fprintf(&b, "  %-12s before its start position %s  filtered out %s\n", "", thousands(c.BeforeStart), thousands(c.FilteredOut))
		}
		writeAggregateVerdict(&b, c)
		if s := c.Sink; s != nil {
			fmt.Fprintf(&b, "  %-12s sink: %s of %s keys wrong, total %s (expected %s)\n", "", thousands(s.KeysWrong), thousands(s.Keys),
				thousands(s.ActualTotal), thousands(s.ExpectedTotal))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeAggregateVerdict says what the consumer made of KPL aggregates: a
// consumer that does not de-aggregate is told it saw 1 record where the
// producer put many.
func writeAggregateVerdict(b *strings.Builder, c result.ConsumerVerdict) {
	if n := c.AggregatesNotDeaggregated; n > 0 {
		fmt.Fprintf(b, "  %-12s did not de-aggregate: took %s KPL aggregates as single records, %s user records inside (%.1f per record seen)\n", "",
			thousands(n), thousands(c.UserRecordsNotDeaggregated), float64(c.UserRecordsNotDeaggregated)/float64(n))
	}
	if c.AggregatesCorrupt > 0 || c.FilteredByHashRange > 0 {
		fmt.Fprintf(b, "  %-12s KPL aggregates corrupt %s (passed on whole, as KCL does)  user records outside the shard's hash range dropped %s (put again by the producer)\n", "",
			thousands(c.AggregatesCorrupt), thousands(c.FilteredByHashRange))
	}
}
