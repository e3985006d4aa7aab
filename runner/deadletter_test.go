package runner

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readDeadLetters returns a dead-letter file's letters and its summary
// line, if it has one.
func readDeadLetters(t *testing.T, path string) ([]DeadLetter, *DeadLetterSummary, int64) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var (
		letters []DeadLetter
		summary *DeadLetterSummary
	)
	for _, line := range splitLines(data) {
		if bytes.Contains(line, []byte(`"dead_letters_total"`)) {
			require.Nil(t, summary, "one summary line")
			summary = &DeadLetterSummary{}
			require.NoError(t, json.Unmarshal(line, summary))
			continue
		}
		require.Nil(t, summary, "the summary is the last line")
		var dl DeadLetter
		require.NoError(t, json.Unmarshal(line, &dl))
		letters = append(letters, dl)
	}
	return letters, summary, int64(len(data))
}

func TestDeadLetterFileSamplesPastItsCap(t *testing.T) {
	path := filepath.Join(t.TempDir(), DeadLetterFile)
	d := newDeadLetters(path, 10)
	const total = 5000
	for i := uint64(1); i <= total; i++ {
		d.write(DeadLetter{Producer: "p", RecordID: i, ErrorCode: ReasonUnfinished, Data: bytes.Repeat([]byte{'x'}, 100)})
	}
	require.NoError(t, d.close())
	letters, summary, _ := readDeadLetters(t, path)
	// The first 10 in full, then every 1000th of the rest: 1010, 2010, 3010, 4010.
	require.Len(t, letters, 14)
	for i, dl := range letters[:10] {
		assert.Equal(t, uint64(i+1), dl.RecordID)
		assert.False(t, dl.Sampled)
	}
	for i, dl := range letters[10:] {
		assert.Equal(t, uint64(10+(i+1)*DeadLetterSampleEvery), dl.RecordID)
		assert.True(t, dl.Sampled)
		assert.Len(t, dl.Data, 100, "a sampled letter keeps its payload")
	}
	require.NotNil(t, summary)
	assert.Equal(t, DeadLetterSummary{Total: total, Written: 14, NotWritten: total - 14}, *summary)
}

func TestDeadLetterFileStopsAtItsByteCap(t *testing.T) {
	path := filepath.Join(t.TempDir(), DeadLetterFile)
	d := newDeadLetters(path, 1000)
	d.maxBytes = 10_000
	const total = 200
	for i := uint64(1); i <= total; i++ {
		d.write(DeadLetter{Producer: "p", RecordID: i, Data: bytes.Repeat([]byte{'x'}, 1000)})
	}
	require.NoError(t, d.close())
	letters, summary, size := readDeadLetters(t, path)
	line := size / int64(len(letters)+1) // about one letter's line
	assert.Less(t, size, d.maxBytes+2*line, "the file stops within a line of its cap")
	assert.Less(t, len(letters), total)
	require.NotNil(t, summary)
	assert.Equal(t, int64(total), summary.Total)
	assert.Equal(t, int64(len(letters)), summary.Written)
	assert.Equal(t, int64(total-len(letters)), summary.NotWritten)
}

func TestDeadLetterFileUnderItsCapHasNoSummary(t *testing.T) {
	path := filepath.Join(t.TempDir(), DeadLetterFile)
	d := newDeadLetters(path, 0)
	for i := uint64(1); i <= 3; i++ {
		d.write(DeadLetter{Producer: "p", RecordID: i})
	}
	require.NoError(t, d.close())
	letters, summary, _ := readDeadLetters(t, path)
	assert.Len(t, letters, 3)
	assert.Nil(t, summary)
}
