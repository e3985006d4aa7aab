package ledger

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ConsumedLine is one line of an external consumer's output: a record it
// processed. Only RecordID is required; with a sequence number the order
// per partition key is checked too.
type ConsumedLine struct {
	RecordID       string `json:"record_id"`
	ShardID        string `json:"shard_id,omitempty"`
	SequenceNumber string `json:"sequence_number,omitempty"`
	PartitionKey   string `json:"partition_key,omitempty"`
}

// MaxConsumedLine is the longest line ReadConsumed reads: a line holds a
// record's id and position, never its data, so 1 MiB is ample.
const MaxConsumedLine = 1 << 20

// ReadConsumed feeds an external consumer's JSON lines (one ConsumedLine
// each, in the order processed; blank lines skipped) into c as deliveries,
// each counted as applied. A malformed line is an error naming its number.
func ReadConsumed(r io.Reader, c *Consumer) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxConsumedLine)
	n := 1
	for ; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var cl ConsumedLine
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cl); err != nil {
			return fmt.Errorf("line %d: %v; want a JSON object like {\"record_id\": \"bikes-42\", \"shard_id\": \"shardId-000000000000\", \"sequence_number\": \"...\"}", n, err)
		}
		if dec.More() {
			return fmt.Errorf("line %d: more than one JSON value; want one object per line", n)
		}
		if cl.RecordID == "" {
			return fmt.Errorf("line %d: record_id is missing; it is the kinesim id in each record (kinesim_id, e.g. \"bikes-42\")", n)
		}
		c.Delivered(Delivery{RecordID: cl.RecordID, ShardID: cl.ShardID, SequenceNumber: cl.SequenceNumber, PartitionKey: cl.PartitionKey, Applied: true})
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return fmt.Errorf("line %d: longer than %d bytes; want one short JSON object per line (record_id, shard_id, sequence_number, partition_key), not the record's data", n, MaxConsumedLine)
	}
	return sc.Err()
}
