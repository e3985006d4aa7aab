package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/kinesim/kinesim/result"
)

// WriteChaos prints one line per fault; nothing without faults.
func WriteChaos(w io.Writer, faults []result.FaultResult) error {
	if len(faults) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("chaos:\n")
	for _, f := range faults {
		fmt.Fprintf(&b, "  %5.1fs +%-5s %s: %s, %s, %s, %s",
			f.AtS, trimSeconds(f.ForS), f.Description, count(f.CallsAffected, "call", "calls"),
			count(f.RecordsAffected, "record", "records"), count(f.RetriesCaused, "retry", "retries"),
			count(f.DuplicatesCaused, "duplicate", "duplicates"))
		if f.PeakBacklogRecords > 0 {
			fmt.Fprintf(&b, ", peak backlog %s", thousands(f.PeakBacklogRecords))
		}
		if f.RecoveryS != nil {
			fmt.Fprintf(&b, ", recovered in %s", trimSeconds(*f.RecoveryS))
		} else {
			b.WriteString(", not recovered by the end")
		}
		if f.Detail != "" {
			fmt.Fprintf(&b, " (%s)", f.Detail)
		}
		if f.Error != "" {
			fmt.Fprintf(&b, " ERROR: %s", f.Error)
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func trimSeconds(s float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", s), "0"), ".") + "s"
}

// count writes n with the noun in the number it takes: "1 call", "2 calls".
func count(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}
