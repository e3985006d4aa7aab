package runner

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"
)

// DeadLetter is one line of the run folder's dead-letters.jsonl: a record
// that was not acknowledged, with why.
type DeadLetter struct {
	Producer        string    `json:"producer"`
	RecordID        uint64    `json:"record_id"`
	PartitionKey    string    `json:"partition_key"`
	ExplicitHashKey string    `json:"explicit_hash_key,omitempty"`
	Attempts        int       `json:"attempts"`
	ErrorCode       string    `json:"error_code"`
	ErrorMessage    string    `json:"error_message"`
	IntendedSend    time.Time `json:"intended_send_time"`
	// Data is the payload, base64-encoded in JSON.
	Data []byte `json:"data"`
}

// Reasons kinesim itself gives in ErrorCode, next to Kinesis's codes.
const (
	// ReasonUnfinished: the run stopped before the record was acknowledged.
	ReasonUnfinished = "kinesim.Unfinished"
	// ReasonTooLarge: the record is over the stream's record size limit.
	ReasonTooLarge = "kinesim.RecordTooLarge"
)

// deadLetters appends dead letters to a JSON-lines file created on first
// use. Safe for concurrent use.
type deadLetters struct {
	path string

	mu   sync.Mutex
	file *os.File
	buf  *bufio.Writer
	enc  *json.Encoder
	err  error
	n    int64
}

func newDeadLetters(path string) *deadLetters { return &deadLetters{path: path} }

func (d *deadLetters) write(dl DeadLetter) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return
	}
	if d.file == nil {
		d.file, d.err = os.Create(d.path)
		if d.err != nil {
			return
		}
		d.buf = bufio.NewWriter(d.file)
		d.enc = json.NewEncoder(d.buf)
		d.enc.SetEscapeHTML(false) // payloads as they were: "<134>", not "\u003c134\u003e"
	}
	d.err = d.enc.Encode(dl)
	d.n++
}

// close flushes the file and reports the first write error.
func (d *deadLetters) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.file == nil {
		return d.err
	}
	if err := d.buf.Flush(); err != nil && d.err == nil {
		d.err = err
	}
	if err := d.file.Close(); err != nil && d.err == nil {
		d.err = err
	}
	d.file = nil
	if d.err != nil {
		return fmt.Errorf("dead-letter file %s: %w", d.path, d.err)
	}
	return nil
}

func (d *deadLetters) written() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.n > 0
}
