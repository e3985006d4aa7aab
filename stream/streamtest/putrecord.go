package streamtest

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
)

// testSequenceNumberForOrdering chains PutRecord calls for one partition
// key, each passing the previous record's sequence number as
// SequenceNumberForOrdering: the numbers increase strictly (API reference,
// PutRecord). It needs stream.SingleWriter and skips without it.
func testSequenceNumberForOrdering(t *testing.T, s *suite) {
	w, ok := s.target.(stream.SingleWriter)
	if !ok {
		t.Skipf("%T does not implement stream.SingleWriter", s.target)
	}
	name, _ := s.createStream(t, 2)
	prev, prevNum := "", new(big.Int)
	for i := range 5 {
		out, err := w.PutRecord(t.Context(), &stream.PutRecordInput{
			StreamName:                name,
			Record:                    stream.Record{PartitionKey: "ordered-key", Data: fmt.Appendf(nil, "record %d", i)},
			SequenceNumberForOrdering: prev,
		})
		require.NoError(t, err, "PutRecord %d with SequenceNumberForOrdering %q", i, prev)
		num := mustBig(t, "SequenceNumber", out.SequenceNumber)
		assert.Equal(t, 1, num.Cmp(prevNum), "record %d: sequence number %s, want above %s", i, num, prevNum)
		prev, prevNum = out.SequenceNumber, num
	}
}
