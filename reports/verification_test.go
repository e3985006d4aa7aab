package reports

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
)

// TestVerificationSaysWhatNotAcknowledgedIs: "not acknowledged 70" alone
// reads like a loss; the summary says these were delivered and why the
// producer never heard of them.
func TestVerificationSaysWhatNotAcknowledgedIs(t *testing.T) {
	tests := []struct {
		name     string
		notAcked int64
		explains bool
	}{
		// Acknowledgements lost by chaos: explained on a line of its own.
		{"lost acknowledgements", 70, true},
		// None: no line to read.
		{"none", 0, false},
	}
	for _, tt := range tests {
		var b strings.Builder
		require.NoError(t, WriteVerification(&b, &result.Verification{Passed: true, Consumers: []result.ConsumerVerdict{
			{Consumer: "dashboard", Passed: true, DeliveredNotAcknowledged: tt.notAcked},
		}}))
		explained := strings.Contains(b.String(), "acknowledgements never reached the producer (lost by chaos or a timeout)")
		assert.Equal(t, tt.explains, explained, "%s: got\n%s", tt.name, b.String())
	}
}
