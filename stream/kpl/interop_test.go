package kpl

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The interop test round-trips through awslabs' aws-kinesis-agg (the Node
// implementation of the format, pinned in tools/testservers/package.json and
// installed by tools/testservers/install.sh), with testdata/aggregate.js and
// testdata/deaggregate.js.

// nodeRecord is a record as the Node scripts read and write it.
type nodeRecord struct {
	PartitionKey      string `json:"partitionKey"`
	ExplicitHashKey   string `json:"explicitHashKey,omitempty"`
	SequenceNumber    string `json:"sequenceNumber,omitempty"`
	SubSequenceNumber int64  `json:"subSequenceNumber,omitempty"`
	Data              string `json:"data"` // base64
}

type nodeDeaggregated struct {
	Error       string       `json:"error"`
	UserRecords []nodeRecord `json:"userRecords"`
}

// interopGroups are the user records each aggregate holds: keys shared and
// not, explicit hash keys on some records only, multi-byte keys, binary and
// empty data, and a record large enough to need two-byte lengths.
func interopGroups() [][]UserRecord {
	binary := make([]byte, 300)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	return [][]UserRecord{
		{
			{PartitionKey: "bike-a", Data: []byte(`{"bike":"a","n":1}`)},
			{PartitionKey: "bike-b", ExplicitHashKey: "170141183460469231731687303715884105728", Data: []byte(`{"bike":"b"}`)},
			{PartitionKey: "bike-a", Data: []byte(`{"bike":"a","n":2}`)},
			{PartitionKey: "station-Zürich-東京", Data: binary},
			{PartitionKey: "bike-c", ExplicitHashKey: "85070591730234615865843651857942052864", Data: []byte{}},
		},
		{
			{PartitionKey: "only", ExplicitHashKey: "340282366920938463463374607431768211455", Data: []byte("x")},
			{PartitionKey: "only", ExplicitHashKey: "340282366920938463463374607431768211455", Data: []byte("y")},
		},
		{
			{PartitionKey: "single", Data: []byte("alone")},
		},
	}
}

func TestInteropNode(t *testing.T) {
	node := nodeModules(t)
	groups := interopGroups()

	t.Run("node aggregates, kinesim deaggregates", func(t *testing.T) {
		encoded := runNode[[]nodeRecord](t, node, "aggregate.js", toNodeGroups(groups))
		require.Len(t, encoded, len(groups))
		for g, enc := range encoded {
			data := decodeBase64(t, enc.Data)
			urs, out := Deaggregate(nil, Record{PartitionKey: enc.PartitionKey, ExplicitHashKey: enc.ExplicitHashKey, Data: data}, AllHashKeys)
			require.NoError(t, out.Corrupt, "group %d", g)
			require.True(t, out.Aggregated, "group %d: Node always aggregates", g)
			assert.Equal(t, keys(groups[g]), keys(urs), "group %d: the user records, keys and explicit hash keys put", g)
			for i, ur := range urs {
				assert.Equal(t, int64(i), ur.SubSequenceNumber)
			}
			if len(groups[g]) > 1 {
				a, err := NewAggregator()
				require.NoError(t, err)
				ours := aggregateAll(t, a, groups[g])
				require.Len(t, ours, 1)
				assert.Equal(t, data, ours[0].Data, "group %d: kinesim writes the same bytes as aws-kinesis-agg", g)
			}
		}
	})

	t.Run("kinesim aggregates, node deaggregates", func(t *testing.T) {
		var records []nodeRecord
		var want [][]UserRecord
		for g, group := range groups {
			a, err := NewAggregator()
			require.NoError(t, err)
			for _, ag := range aggregateAll(t, a, group) {
				records = append(records, nodeRecord{
					PartitionKey:   ag.PartitionKey,
					SequenceNumber: strconv.Itoa(g),
					Data:           base64.StdEncoding.EncodeToString(ag.Data),
				})
				want = append(want, ag.UserRecords)
			}
		}
		got := runNode[[]nodeDeaggregated](t, node, "deaggregate.js", records)
		require.Len(t, got, len(records))
		for r, res := range got {
			require.Empty(t, res.Error, "record %d: Node's checksum and decoding", r)
			require.Len(t, res.UserRecords, len(want[r]), "record %d", r)
			for i, nur := range res.UserRecords {
				w := want[r][i]
				assert.Equal(t, w.PartitionKey, nur.PartitionKey, "record %d.%d", r, i)
				assert.Equal(t, w.Data, decodeBase64(t, nur.Data), "record %d.%d", r, i)
				assert.Equal(t, records[r].SequenceNumber, nur.SequenceNumber)
				if !w.Aggregated {
					assert.Equal(t, int64(-1), nur.SubSequenceNumber, "Node gives a plain record no sub-sequence number (deaggregate.js prints -1)")
					continue
				}
				assert.Equal(t, w.SubSequenceNumber, nur.SubSequenceNumber, "record %d.%d", r, i)
				assert.Equal(t, nodeExplicitHashKey(want[r], w), nur.ExplicitHashKey, "record %d.%d", r, i)
			}
		}
	})

	// aws-kinesis-agg 4.2.8 builds its key tables with Object.keys, which
	// lists integer-like keys (below 2^32-1) in ascending order, not in
	// insertion order, while the records keep the insertion-order indexes:
	// records keyed "5" then "3" come back keyed "3" then "5", and explicit
	// hash keys such as "0" move the same way. kinesim must read what Node
	// wrote exactly as Node does, so a run against a Node producer shows the
	// mix-up rather than hiding it.
	t.Run("integer-like keys read as Node reads them", func(t *testing.T) {
		group := []UserRecord{
			{PartitionKey: "5", ExplicitHashKey: "99", Data: []byte("five")},
			{PartitionKey: "3", ExplicitHashKey: "7", Data: []byte("three")},
		}
		encoded := runNode[[]nodeRecord](t, node, "aggregate.js", toNodeGroups([][]UserRecord{group}))
		require.Len(t, encoded, 1)
		nodeSaw := runNode[[]nodeDeaggregated](t, node, "deaggregate.js", []nodeRecord{{PartitionKey: encoded[0].PartitionKey, SequenceNumber: "1", Data: encoded[0].Data}})
		require.Len(t, nodeSaw, 1)
		urs, out := Deaggregate(nil, Record{PartitionKey: encoded[0].PartitionKey, Data: decodeBase64(t, encoded[0].Data)}, AllHashKeys)
		require.NoError(t, out.Corrupt)
		require.Len(t, urs, len(nodeSaw[0].UserRecords))
		for i, ur := range urs {
			assert.Equal(t, nodeSaw[0].UserRecords[i].PartitionKey, ur.PartitionKey)
			assert.Equal(t, nodeSaw[0].UserRecords[i].ExplicitHashKey, ur.ExplicitHashKey)
			assert.Equal(t, group[i].Data, ur.Data)
		}
		assert.Equal(t, []string{"3", "5", "7", "99"}, []string{urs[0].PartitionKey, urs[1].PartitionKey, urs[0].ExplicitHashKey, urs[1].ExplicitHashKey},
			"aws-kinesis-agg's table order (if this fails, the pinned version fixed it)")
	})
}

// nodeExplicitHashKey is the explicit hash key aws-kinesis-agg reports for a
// user record: its own, or, for one without, the aggregate's first table
// entry (protobufjs reads the missing optional index as 0), else "".
func nodeExplicitHashKey(aggregate []UserRecord, ur UserRecord) string {
	if ur.ExplicitHashKey != "" {
		return ur.ExplicitHashKey
	}
	for _, other := range aggregate {
		if other.ExplicitHashKey != "" {
			return other.ExplicitHashKey
		}
	}
	return ""
}

func toNodeGroups(groups [][]UserRecord) [][]nodeRecord {
	out := make([][]nodeRecord, len(groups))
	for g, group := range groups {
		for _, ur := range group {
			out[g] = append(out[g], nodeRecord{PartitionKey: ur.PartitionKey, ExplicitHashKey: ur.ExplicitHashKey, Data: base64.StdEncoding.EncodeToString(ur.Data)})
		}
	}
	return out
}

func decodeBase64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

// nodeModules returns the node_modules folder holding aws-kinesis-agg. The
// test is skipped only when node is not installed (or KINESIM_SKIP_SERVERS=1
// says to, as for the test servers); a missing package fails it with the
// command that installs it.
func nodeModules(t *testing.T) string {
	t.Helper()
	if os.Getenv("KINESIM_SKIP_SERVERS") == "1" {
		t.Skip("KINESIM_SKIP_SERVERS=1: skipping the aws-kinesis-agg interop test")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: the interop test with aws-kinesis-agg needs Node.js >= 18")
	}
	dir := os.Getenv("KINESIM_TESTSERVERS_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "tools", "testservers")
	}
	modules, err := filepath.Abs(filepath.Join(dir, "node_modules"))
	require.NoError(t, err)
	if _, err := os.Stat(filepath.Join(modules, "aws-kinesis-agg", "package.json")); err != nil {
		t.Fatalf("aws-kinesis-agg is not installed in %s: run tools/testservers/install.sh", modules)
	}
	return modules
}

// runNode runs a testdata script with input as JSON on stdin and decodes its
// JSON stdout.
func runNode[T any](t *testing.T, modules, script string, input any) T {
	t.Helper()
	in, err := json.Marshal(input)
	require.NoError(t, err)
	cmd := exec.Command("node", filepath.Join("testdata", script))
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "node %s: %s", script, stderr.String())
	var v T
	require.NoError(t, json.Unmarshal(out, &v), fmt.Sprintf("node %s printed %q", script, out))
	return v
}
