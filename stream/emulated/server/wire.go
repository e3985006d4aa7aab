package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// epochTime is a timestamp as the Kinesis JSON 1.1 protocol writes it: a JSON
// number of seconds since the Unix epoch, with a fraction (1700000000.123).
// In CBOR it is tag 1 over epoch milliseconds (codec.go).
type epochTime time.Time

func (t epochTime) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', 3, 64), nil
}

func (t *epochTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	secs, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) || math.Abs(secs) > 1e11 {
		return fmt.Errorf("timestamp %s is not a number of epoch seconds", b)
	}
	whole, frac := math.Modf(secs)
	*t = epochTime(time.Unix(int64(whole), int64(frac*1e9)))
	return nil
}

func epochPtr(t time.Time) *epochTime {
	e := epochTime(t)
	return &e
}

// decodeBody decodes one JSON object into v. An empty body decodes as {}.
// Unknown fields are ignored, as AWS does, so that newer SDKs' optional
// members do not break old servers; anything else malformed is an error
// for SerializationException.
func decodeBody(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field == "":
			return fmt.Errorf("%w: a JSON %s, not an object", errMalformed, typeErr.Value)
		case errors.As(err, &typeErr):
			return errors.New(typeMismatch(typeErr.Value, typeErr.Type))
		case errors.As(err, &syntaxErr) || errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("%w: %v", errMalformed, err)
		}
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: trailing data after the request's JSON object", errMalformed)
	}
	return nil
}

// typeMismatch is Kinesis's SerializationException message for a JSON value
// of kind got (as encoding/json names it: string, number, bool, array,
// object) where the model wants a member of Go type want. Kinesis's front
// end is Java: its messages name Java's types.
func typeMismatch(got string, want reflect.Type) string {
	switch got {
	case "array":
		return "Start of list found where not expected"
	case "object":
		return "Start of structure or map found where not expected."
	}
	for want.Kind() == reflect.Pointer {
		want = want.Elem()
	}
	javaGot := map[string]string{"string": "java.lang.String", "bool": "java.lang.Boolean"}[got]
	if strings.HasPrefix(got, "number") {
		javaGot = "com.amazon.coral.value.json.numbers.TruncatingBigNumber" // Kinesis's JSON number type
	}
	switch want.Kind() {
	case reflect.Map:
		return "Expected map or null"
	case reflect.Slice:
		return "Expected list or null"
	case reflect.Struct:
		return "Expected null"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "class " + javaGot + " can not be converted to an Integer"
	case reflect.Bool:
		return "class " + javaGot + " can not be converted to an Boolean"
	}
	return "class " + javaGot + " can not be converted to an String"
}

// blob is a request's Data: in JSON a base64 string, checked as Kinesis
// checks it; in CBOR a byte string.
type blob []byte

func (b *blob) UnmarshalJSON(raw []byte) error {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			msg := typeMismatch(typeErr.Value, typeErr.Type)
			return errors.New(strings.Replace(msg, "to an String", "to a Blob", 1))
		}
		return err
	}
	if string(raw) == "null" {
		return nil
	}
	if len(s)%4 != 0 {
		return fmt.Errorf("'%s' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: %d", s, len(s))
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return !isBase64(r) }); i >= 0 {
		return fmt.Errorf("'%s' can not be converted to a Blob: Invalid Base64 character: '%c'", s, s[i])
	}
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("'%s' can not be converted to a Blob: Invalid last non-pad Base64 character dectected", s)
	}
	*b = data
	return nil
}

func isBase64(r rune) bool {
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '='
}

// Requests. Pointer fields tell a missing member from a zero one, as the
// API's "Member must not be null" validation needs.

type streamRefJSON struct {
	StreamName *string `json:"StreamName"`
	StreamARN  *string `json:"StreamARN"`
}

type createStreamRequest struct {
	StreamName        *string            `json:"StreamName"`
	ShardCount        *int64             `json:"ShardCount"`
	StreamModeDetails *streamModeDetails `json:"StreamModeDetails"`
	Tags              map[string]string  `json:"Tags"`
}

type streamModeDetails struct {
	StreamMode string `json:"StreamMode"`
}

type deleteStreamRequest struct {
	streamRefJSON
	EnforceConsumerDeletion *bool `json:"EnforceConsumerDeletion"`
}

type describeStreamRequest struct {
	streamRefJSON
	Limit                 *int64  `json:"Limit"`
	ExclusiveStartShardID *string `json:"ExclusiveStartShardId"`
}

type listStreamsRequest struct {
	Limit                    *int64  `json:"Limit"`
	ExclusiveStartStreamName *string `json:"ExclusiveStartStreamName"`
	NextToken                *string `json:"NextToken"`
}

type listShardsRequest struct {
	streamRefJSON
	NextToken             *string      `json:"NextToken"`
	ExclusiveStartShardID *string      `json:"ExclusiveStartShardId"`
	MaxResults            *int64       `json:"MaxResults"`
	ShardFilter           *shardFilter `json:"ShardFilter"`
}

type shardFilter struct {
	Type      string     `json:"Type"`
	ShardID   *string    `json:"ShardId"`
	Timestamp *epochTime `json:"Timestamp"`
}

type putRecordsRequest struct {
	streamRefJSON
	Records []putRecordsEntry `json:"Records"`
}

type putRecordsEntry struct {
	Data            blob    `json:"Data"`
	PartitionKey    *string `json:"PartitionKey"`
	ExplicitHashKey *string `json:"ExplicitHashKey"`
}

type putRecordRequest struct {
	streamRefJSON
	putRecordsEntry
	SequenceNumberForOrdering *string `json:"SequenceNumberForOrdering"`
}

type getShardIteratorRequest struct {
	streamRefJSON
	ShardID                *string    `json:"ShardId"`
	ShardIteratorType      *string    `json:"ShardIteratorType"`
	StartingSequenceNumber *string    `json:"StartingSequenceNumber"`
	Timestamp              *epochTime `json:"Timestamp"`
}

type getRecordsRequest struct {
	ShardIterator *string `json:"ShardIterator"`
	Limit         *int64  `json:"Limit"`
	StreamARN     *string `json:"StreamARN"`
}

type splitShardRequest struct {
	streamRefJSON
	ShardToSplit       *string `json:"ShardToSplit"`
	NewStartingHashKey *string `json:"NewStartingHashKey"`
}

type mergeShardsRequest struct {
	streamRefJSON
	ShardToMerge         *string `json:"ShardToMerge"`
	AdjacentShardToMerge *string `json:"AdjacentShardToMerge"`
}

type updateShardCountRequest struct {
	streamRefJSON
	TargetShardCount *int64  `json:"TargetShardCount"`
	ScalingType      *string `json:"ScalingType"`
}

type retentionRequest struct {
	streamRefJSON
	RetentionPeriodHours *int64 `json:"RetentionPeriodHours"`
}

type addTagsRequest struct {
	streamRefJSON
	Tags map[string]string `json:"Tags"`
}

type removeTagsRequest struct {
	streamRefJSON
	TagKeys []string `json:"TagKeys"`
}

type listTagsRequest struct {
	streamRefJSON
	ExclusiveStartTagKey *string `json:"ExclusiveStartTagKey"`
	Limit                *int64  `json:"Limit"`
}

// Responses.

type hashKeyRangeJSON struct {
	StartingHashKey string `json:"StartingHashKey"`
	EndingHashKey   string `json:"EndingHashKey"`
}

type sequenceNumberRangeJSON struct {
	StartingSequenceNumber string `json:"StartingSequenceNumber"`
	EndingSequenceNumber   string `json:"EndingSequenceNumber,omitempty"`
}

type shardJSON struct {
	ShardID               string                  `json:"ShardId"`
	ParentShardID         string                  `json:"ParentShardId,omitempty"`
	AdjacentParentShardID string                  `json:"AdjacentParentShardId,omitempty"`
	HashKeyRange          hashKeyRangeJSON        `json:"HashKeyRange"`
	SequenceNumberRange   sequenceNumberRangeJSON `json:"SequenceNumberRange"`
}

type enhancedMetrics struct {
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
}

type streamDescription struct {
	StreamName              string            `json:"StreamName"`
	StreamARN               string            `json:"StreamARN"`
	StreamStatus            string            `json:"StreamStatus"`
	StreamModeDetails       streamModeDetails `json:"StreamModeDetails"`
	Shards                  []shardJSON       `json:"Shards"`
	HasMoreShards           bool              `json:"HasMoreShards"`
	RetentionPeriodHours    int64             `json:"RetentionPeriodHours"`
	StreamCreationTimestamp *epochTime        `json:"StreamCreationTimestamp"`
	EnhancedMonitoring      []enhancedMetrics `json:"EnhancedMonitoring"`
	EncryptionType          string            `json:"EncryptionType"`
}

type streamDescriptionSummary struct {
	StreamName              string            `json:"StreamName"`
	StreamARN               string            `json:"StreamARN"`
	StreamStatus            string            `json:"StreamStatus"`
	StreamModeDetails       streamModeDetails `json:"StreamModeDetails"`
	RetentionPeriodHours    int64             `json:"RetentionPeriodHours"`
	StreamCreationTimestamp *epochTime        `json:"StreamCreationTimestamp"`
	EnhancedMonitoring      []enhancedMetrics `json:"EnhancedMonitoring"`
	EncryptionType          string            `json:"EncryptionType"`
	OpenShardCount          int64             `json:"OpenShardCount"`
	ConsumerCount           int64             `json:"ConsumerCount"`
}

type streamSummaryJSON struct {
	StreamName              string            `json:"StreamName"`
	StreamARN               string            `json:"StreamARN"`
	StreamStatus            string            `json:"StreamStatus"`
	StreamModeDetails       streamModeDetails `json:"StreamModeDetails"`
	StreamCreationTimestamp *epochTime        `json:"StreamCreationTimestamp"`
}

type putRecordsResultJSON struct {
	ShardID        string `json:"ShardId,omitempty"`
	SequenceNumber string `json:"SequenceNumber,omitempty"`
	ErrorCode      string `json:"ErrorCode,omitempty"`
	ErrorMessage   string `json:"ErrorMessage,omitempty"`
}

type recordJSON struct {
	SequenceNumber              string    `json:"SequenceNumber"`
	ApproximateArrivalTimestamp epochTime `json:"ApproximateArrivalTimestamp"`
	Data                        []byte    `json:"Data"`
	PartitionKey                string    `json:"PartitionKey"`
}

type childShardJSON struct {
	ShardID      string           `json:"ShardId"`
	ParentShards []string         `json:"ParentShards"`
	HashKeyRange hashKeyRangeJSON `json:"HashKeyRange"`
}

type tagJSON struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}
