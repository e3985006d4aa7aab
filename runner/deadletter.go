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
	// Sampled marks a line written past the file's cap: one in
	// DeadLetterSampleEvery of the dead letters after the first cap.
	Sampled bool `json:"sampled,omitempty"`
}

// DeadLetterSummary is the last line of a dead-letter file that could not
// hold every dead letter: how many there were and how many it left out.
type DeadLetterSummary struct {
	// Total is every dead letter of the run, written or not (the result's
	// records_dead_lettered plus records_unfinished).
	Total int64 `json:"dead_letters_total"`
	// Written are the lines above this one.
	Written int64 `json:"written"`
	// NotWritten are the dead letters the cap left out.
	NotWritten int64 `json:"not_written"`
}

// The dead-letter file's bounds. The first cap dead letters (Config.DeadLetterCap,
// default DefaultDeadLetterCap) are written in full; past them one in
// DeadLetterSampleEvery is, marked sampled; nothing more once the file holds
// MaxDeadLetterBytes. Counts stay exact: a file that left any out ends with
// a DeadLetterSummary line.
const (
	DefaultDeadLetterCap  = 10_000
	DeadLetterSampleEvery = 1_000
	MaxDeadLetterBytes    = 64 << 20
)

// Reasons kinesim itself gives in ErrorCode, next to Kinesis's codes.
const (
	// ReasonUnfinished: the run stopped before the record was acknowledged.
	ReasonUnfinished = "kinesim.Unfinished"
	// ReasonTooLarge: the record is over the stream's record size limit.
	ReasonTooLarge = "kinesim.RecordTooLarge"
	// ReasonInvalidRecord: KPL's aggregator refused the user record (a
	// partition key or explicit hash key Kinesis would refuse).
	ReasonInvalidRecord = "kinesim.InvalidUserRecord"
)

// deadLetters appends dead letters to a JSON-lines file created on first
// use. Safe for concurrent use.
type deadLetters struct {
	path     string
	full     int64 // dead letters written in full
	maxBytes int64

	mu    sync.Mutex
	file  *os.File
	buf   *bufio.Writer
	out   countingWriter
	enc   *json.Encoder
	err   error
	n     int64 // dead letters, written or not
	lines int64 // lines written
}

// newDeadLetters writes to path; limit is the number written in full
// (DefaultDeadLetterCap when 0 or less).
func newDeadLetters(path string, limit int) *deadLetters {
	if limit <= 0 {
		limit = DefaultDeadLetterCap
	}
	return &deadLetters{path: path, full: int64(limit), maxBytes: MaxDeadLetterBytes}
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (d *deadLetters) write(dl DeadLetter) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.n++
	if d.err != nil || d.out.n >= d.maxBytes {
		return
	}
	if d.n > d.full {
		if (d.n-d.full)%DeadLetterSampleEvery != 0 {
			return
		}
		dl.Sampled = true
	}
	if d.open() {
		d.err = d.enc.Encode(dl)
		d.lines++
	}
}

// open creates the file on first use and reports whether it is open.
func (d *deadLetters) open() bool {
	if d.file != nil || d.err != nil {
		return d.err == nil
	}
	d.file, d.err = os.Create(d.path)
	if d.err != nil {
		return false
	}
	d.buf = bufio.NewWriter(d.file)
	d.out = countingWriter{w: d.buf}
	d.enc = json.NewEncoder(&d.out)
	d.enc.SetEscapeHTML(false) // payloads as they were: "<134>", not "\u003c134\u003e"
	return true
}

// close writes the summary line if the cap left dead letters out, flushes
// the file and reports the first write error.
func (d *deadLetters) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.lines < d.n && d.open() {
		d.err = d.enc.Encode(DeadLetterSummary{Total: d.n, Written: d.lines, NotWritten: d.n - d.lines})
	}
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
