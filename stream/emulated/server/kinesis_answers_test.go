package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/emulated/server"
)

// answerRow is one request and the exact answer Kinesis gives it: status,
// __type and the whole message (empty for a success).
type answerRow struct {
	name     string
	op, body string
	status   int
	typ, msg string
}

// Where the rows' texts come from: the API reference's constraints
// (docs.aws.amazon.com/kinesis/latest/APIReference), in the wording and
// order Kinesis's front end reports them, as kinesalite 3.3.3 recorded
// them against Kinesis (its validations/*.js). Where kinesalite predates
// current Kinesis, or differs by a bug, the row follows Kinesis and
// kinesaliteDiffers says why.
const (
	badName    = `Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+`
	minLen1    = `Member must have length greater than or equal to 1`
	notNull    = `Member must not be null`
	hashKeyPat = `Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`
)

// shardIDRows: Kinesis reads a shard id by its number, so short and padded
// forms name the same shard (issue 17, item 3).
var shardIDRows = []answerRow{
	{"canonical id", "GetShardIterator", `{"StreamName":"fixture","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}`, 200, "", ""},
	{"short id", "GetShardIterator", `{"StreamName":"fixture","ShardId":"shardId-0","ShardIteratorType":"TRIM_HORIZON"}`, 200, "", ""},
	{"partly padded id", "GetShardIterator", `{"StreamName":"fixture","ShardId":"shardId-01","ShardIteratorType":"LATEST"}`, 200, "", ""},
	{"bare number", "GetShardIterator", `{"StreamName":"fixture","ShardId":"1","ShardIteratorType":"LATEST"}`, 200, "", ""},
	{"padded bare number", "GetShardIterator", `{"StreamName":"fixture","ShardId":"000000000001","ShardIteratorType":"LATEST"}`, 200, "", ""},
	{"short id past the last shard", "GetShardIterator", `{"StreamName":"fixture","ShardId":"shardId-2","ShardIteratorType":"LATEST"}`, 400,
		"ResourceNotFoundException", "Shard shardId-000000000002 in stream fixture under account 111111111111 does not exist"},
	{"id without a number", "GetShardIterator", `{"StreamName":"fixture","ShardId":"shardId-x","ShardIteratorType":"LATEST"}`, 400,
		"ResourceNotFoundException", "Could not find shard shardId-x in stream fixture under account 111111111111."},
	{"split by short id", "SplitShard", `{"StreamName":"fixture","ShardToSplit":"shardId-0","NewStartingHashKey":"` + "85070591730234615865843651857942052864" + `"}`, 200, "", ""},
	{"merge by short ids", "MergeShards", `{"StreamName":"fixture","ShardToMerge":"0","AdjacentShardToMerge":"shardId-1"}`, 200, "", ""},
	{"list after a short id", "ListShards", `{"StreamName":"fixture","ExclusiveStartShardId":"shardId-0"}`, 200, "", ""},
	{"describe after a short id", "DescribeStream", `{"StreamName":"fixture","ExclusiveStartShardId":"0"}`, 200, "", ""},
}

// serializationRows: a member of the wrong JSON type is
// SerializationException in Java's terms, key Message (issue 17, items 1-2).
var serializationRows = []answerRow{
	{"list for a blob", "PutRecord", `{"StreamName":"fixture","PartitionKey":"k","Data":[]}`, 400, "SerializationException", "Start of list found where not expected"},
	{"map for a blob", "PutRecord", `{"StreamName":"fixture","PartitionKey":"k","Data":{}}`, 400, "SerializationException", "Start of structure or map found where not expected."},
	{"boolean for a blob", "PutRecord", `{"StreamName":"fixture","PartitionKey":"k","Data":true}`, 400, "SerializationException", "class java.lang.Boolean can not be converted to a Blob"},
	{"number for a blob", "PutRecord", `{"StreamName":"fixture","PartitionKey":"k","Data":12}`, 400, "SerializationException", "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob"},
	{"blob of bad length", "PutRecord", `{"StreamName":"fixture","PartitionKey":"k","Data":"abc"}`, 400, "SerializationException",
		"'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3"},
	{"blob with a bad character", "PutRecord", `{"StreamName":"fixture","PartitionKey":"k","Data":"ab*d"}`, 400, "SerializationException",
		"'ab*d' can not be converted to a Blob: Invalid Base64 character: '*'"},
	{"string for an integer", "CreateStream", `{"StreamName":"s","ShardCount":"two"}`, 400, "SerializationException", "class java.lang.String can not be converted to an Integer"},
	{"boolean for an integer", "GetRecords", `{"ShardIterator":"x","Limit":true}`, 400, "SerializationException", "class java.lang.Boolean can not be converted to an Integer"},
	{"list for an integer", "IncreaseStreamRetentionPeriod", `{"StreamName":"fixture","RetentionPeriodHours":[]}`, 400, "SerializationException", "Start of list found where not expected"},
	{"string for a map", "AddTagsToStream", `{"StreamName":"fixture","Tags":"a=b"}`, 400, "SerializationException", "Expected map or null"},
	{"list for a map", "CreateStream", `{"StreamName":"s","ShardCount":1,"Tags":[]}`, 400, "SerializationException", "Start of list found where not expected"},
	{"string for a list", "RemoveTagsFromStream", `{"StreamName":"fixture","TagKeys":"a"}`, 400, "SerializationException", "Expected list or null"},
	{"map for a list", "PutRecords", `{"StreamName":"fixture","Records":{}}`, 400, "SerializationException", "Start of structure or map found where not expected."},
	{"string for a structure", "ListShards", `{"StreamName":"fixture","ShardFilter":"AT_LATEST"}`, 400, "SerializationException", "Expected null"},
	{"number for a string", "DescribeStreamSummary", `{"StreamName":5}`, 400, "SerializationException", "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
	{"boolean for a string", "DeleteStream", `{"StreamName":false}`, 400, "SerializationException", "class java.lang.Boolean can not be converted to an String"},
	{"list for a string", "ListStreams", `{"ExclusiveStartStreamName":["a"]}`, 400, "SerializationException", "Start of list found where not expected"},
	{"wrong type inside a list", "PutRecords", `{"StreamName":"fixture","Records":[{"PartitionKey":1,"Data":""}]}`, 400, "SerializationException", "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
	// Shape comes before constraints: ShardCount 0 would be a ValidationException.
	{"shape before constraints", "PutRecord", `{"StreamName":"","PartitionKey":"","Data":[]}`, 400, "SerializationException", "Start of list found where not expected"},
}

// validationRows: every breach of the model's constraints, listed in
// Kinesis's order and words, before any existence check (issue 17, items
// 1-2; issue 18, item 11).
var validationRows = []answerRow{
	{"create with nothing", "CreateStream", `{}`, 400, "ValidationException",
		"1 validation error detected: Value null at 'streamName' failed to satisfy constraint: " + notNull},
	{"create breaking three", "CreateStream", `{"StreamName":"","ShardCount":0}`, 400, "ValidationException",
		"3 validation errors detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
			"Value '' at 'streamName' failed to satisfy constraint: " + badName + "; Value '' at 'streamName' failed to satisfy constraint: " + minLen1},
	{"stream name too long and odd", "DescribeStreamSummary", `{"StreamName":"` + strings.Repeat("a", 128) + `!"}`, 400, "ValidationException",
		"2 validation errors detected: Value '" + strings.Repeat("a", 128) + "!' at 'streamName' failed to satisfy constraint: " + badName +
			"; Value '" + strings.Repeat("a", 128) + "!' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128"},
	// Current Kinesis allows 8760 hours (API reference,
	// IncreaseStreamRetentionPeriod; 168 before November 2020, as kinesalite
	// still says): 169 is valid, so a missing stream is what is wrong.
	{"retention above the maximum", "IncreaseStreamRetentionPeriod", `{"StreamName":"a","RetentionPeriodHours":8761}`, 400, "ValidationException",
		"1 validation error detected: Value '8761' at 'retentionPeriodHours' failed to satisfy constraint: Member must have value less than or equal to 8760"},
	{"retention 169 of a missing stream", "IncreaseStreamRetentionPeriod", `{"StreamName":"a","RetentionPeriodHours":169}`, 400, "ResourceNotFoundException",
		"Stream a under account 111111111111 not found."},
	{"retention 0 and a bad name", "DecreaseStreamRetentionPeriod", `{"StreamName":"a b","RetentionPeriodHours":0}`, 400, "ValidationException",
		"2 validation errors detected: Value '0' at 'retentionPeriodHours' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
			"Value 'a b' at 'streamName' failed to satisfy constraint: " + badName},
	{"retention missing", "IncreaseStreamRetentionPeriod", `{"StreamName":"fixture"}`, 400, "ValidationException",
		"1 validation error detected: Value null at 'retentionPeriodHours' failed to satisfy constraint: " + notNull},
	{"retention below 24 hours", "DecreaseStreamRetentionPeriod", `{"StreamName":"fixture","RetentionPeriodHours":23}`, 400, "InvalidArgumentException",
		"Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short."},
	{"empty partition key", "PutRecord", `{"StreamName":"fixture","PartitionKey":"","Data":""}`, 400, "ValidationException",
		"1 validation error detected: Value '' at 'partitionKey' failed to satisfy constraint: " + minLen1},
	{"257-character partition key", "PutRecord", `{"StreamName":"fixture","PartitionKey":"` + strings.Repeat("é", 257) + `","Data":""}`, 400, "ValidationException",
		"1 validation error detected: Value '" + strings.Repeat("é", 257) + "' at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256"},
	{"256-character partition key", "PutRecord", `{"StreamName":"fixture","PartitionKey":"` + strings.Repeat("é", 256) + `","Data":""}`, 200, "", ""},
	{"record with nothing", "PutRecord", `{"StreamName":"fixture"}`, 400, "ValidationException",
		"2 validation errors detected: Value null at 'partitionKey' failed to satisfy constraint: " + notNull + "; Value null at 'data' failed to satisfy constraint: " + notNull},
	{"explicit hash key not decimal", "PutRecord", `{"StreamName":"fixture","PartitionKey":"k","ExplicitHashKey":"-1","Data":""}`, 400, "ValidationException",
		"1 validation error detected: Value '-1' at 'explicitHashKey' failed to satisfy constraint: " + hashKeyPat},
	{"explicit hash key 2^128", "PutRecord", `{"StreamName":"fixture","PartitionKey":"k","ExplicitHashKey":"340282366920938463463374607431768211456","Data":""}`, 400, "InvalidArgumentException",
		"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was 340282366920938463463374607431768211456"},
	{"sequence number for ordering not decimal", "PutRecord", `{"StreamName":"fixture","PartitionKey":"k","Data":"","SequenceNumberForOrdering":"01"}`, 400, "ValidationException",
		"1 validation error detected: Value '01' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})"},
	{"constraints before existence", "PutRecord", `{"StreamName":"missing","PartitionKey":""}`, 400, "ValidationException",
		"2 validation errors detected: Value '' at 'partitionKey' failed to satisfy constraint: " + minLen1 + "; Value null at 'data' failed to satisfy constraint: " + notNull},
	{"batch record with an empty key", "PutRecords", `{"StreamName":"fixture","Records":[{"PartitionKey":"k","Data":""},{"PartitionKey":"","Data":""}]}`, 400, "ValidationException",
		"1 validation error detected: Value '' at 'records.2.member.partitionKey' failed to satisfy constraint: " + minLen1},
	{"empty batch", "PutRecords", `{"StreamName":"fixture","Records":[]}`, 400, "ValidationException",
		"1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: " + minLen1},
	{"iterator request breaking three", "GetShardIterator", `{"StreamName":"fixture","ShardId":"","ShardIteratorType":"OLDEST"}`, 400, "ValidationException",
		"3 validation errors detected: Value '' at 'shardId' failed to satisfy constraint: " + badName + "; Value '' at 'shardId' failed to satisfy constraint: " + minLen1 +
			"; Value 'OLDEST' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]"},
	{"iterator request with nothing", "GetShardIterator", `{"StreamName":"fixture"}`, 400, "ValidationException",
		"2 validation errors detected: Value null at 'shardId' failed to satisfy constraint: " + notNull + "; Value null at 'shardIteratorType' failed to satisfy constraint: " + notNull},
	{"split with a bad hash key", "SplitShard", `{"StreamName":"fixture","ShardToSplit":"shardId-0","NewStartingHashKey":"x"}`, 400, "ValidationException",
		"1 validation error detected: Value 'x' at 'newStartingHashKey' failed to satisfy constraint: " + hashKeyPat},
	{"merge with nothing", "MergeShards", `{"StreamName":"fixture"}`, 400, "ValidationException",
		"2 validation errors detected: Value null at 'shardToMerge' failed to satisfy constraint: " + notNull + "; Value null at 'adjacentShardToMerge' failed to satisfy constraint: " + notNull},
	{"no tags", "AddTagsToStream", `{"StreamName":"fixture","Tags":{}}`, 400, "ValidationException",
		"1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: " + minLen1},
	{"tag key too long", "AddTagsToStream", `{"StreamName":"fixture","Tags":{"` + strings.Repeat("k", 129) + `":"v"}}`, 400, "ValidationException",
		"1 validation error detected: Value '{" + strings.Repeat("k", 129) + "=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]"},
	{"tag value too long", "CreateStream", `{"StreamName":"s","ShardCount":1,"Tags":{"k":"` + strings.Repeat("v", 257) + `"}}`, 400, "ValidationException",
		"1 validation error detected: Value '{k=" + strings.Repeat("v", 257) + "}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]"},
	{"no tag keys", "RemoveTagsFromStream", `{"StreamName":"fixture","TagKeys":[]}`, 400, "ValidationException",
		"1 validation error detected: Value '[]' at 'tagKeys' failed to satisfy constraint: " + minLen1},
	{"register with nothing", "RegisterStreamConsumer", `{}`, 400, "ValidationException",
		"2 validation errors detected: Value null at 'streamARN' failed to satisfy constraint: " + notNull + "; Value null at 'consumerName' failed to satisfy constraint: " + notNull},
	{"register a bad consumer name", "RegisterStreamConsumer", `{"StreamARN":"arn:aws:kinesis:us-east-1:111111111111:stream/fixture","ConsumerName":"a b"}`, 400, "ValidationException",
		"1 validation error detected: Value 'a b' at 'consumerName' failed to satisfy constraint: " + badName},
	{"register on a missing stream", "RegisterStreamConsumer", `{"StreamARN":"arn:aws:kinesis:us-east-1:111111111111:stream/missing","ConsumerName":"c"}`, 400, "ResourceNotFoundException",
		"Stream missing under account 111111111111 not found."},
	{"describe a consumer by a bad ARN", "DescribeStreamConsumer", `{"StreamARN":"arn:aws:s3:::b","ConsumerName":"c"}`, 400, "ValidationException",
		"1 validation error detected: Value 'arn:aws:s3:::b' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+"},
	{"list shards breaking three", "ListShards", `{"StreamName":"a b","ExclusiveStartShardId":"x y","MaxResults":0}`, 400, "ValidationException",
		"3 validation errors detected: Value 'x y' at 'exclusiveStartShardId' failed to satisfy constraint: " + badName +
			"; Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1; Value 'a b' at 'streamName' failed to satisfy constraint: " + badName},
	{"list streams after a bad name", "ListStreams", `{"ExclusiveStartStreamName":"a/b","Limit":10001}`, 400, "ValidationException",
		"2 validation errors detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000; " +
			"Value 'a/b' at 'exclusiveStartStreamName' failed to satisfy constraint: " + badName},
	{"describe after a bad shard id", "DescribeStream", `{"StreamName":"fixture","ExclusiveStartShardId":"a b","Limit":0}`, 400, "ValidationException",
		"2 validation errors detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
			"Value 'a b' at 'exclusiveStartShardId' failed to satisfy constraint: " + badName},
	{"scaling with nothing", "UpdateShardCount", `{"StreamName":"fixture"}`, 400, "ValidationException",
		"2 validation errors detected: Value null at 'targetShardCount' failed to satisfy constraint: " + notNull + "; Value null at 'scalingType' failed to satisfy constraint: " + notNull},
}

// Sequence numbers of the layouts Kinesis reads (see stream/emulated's
// seqnum.go), from other shards and streams (issue 17, item 4).
const (
	awsDocSeq      = "49590338271490256608559692538361571095921575989136588898" // shardId-000000000006 of a stream made in 2018 (API reference)
	otherStreamSeq = "49590338271356452137368508799512356786285685820100706306" // the same with shard index 0
	mustEither     = "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified "
	iteratorOn0    = `{"StreamName":"fixture","ShardId":"shardId-0",`
	invalidOn0     = " used in GetShardIterator on shard shardId-000000000000 in stream fixture under account 111111111111 is invalid"
)

var sequenceRows = []answerRow{
	{"a number of another shard index", "GetShardIterator", iteratorOn0 + `"ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"` + awsDocSeq + `"}`, 400, "InvalidArgumentException",
		"Invalid StartingSequenceNumber. It encodes shardId-000000000006, while it was used in a call to a shard with shardId-000000000000"},
	{"a small number names its shard", "GetShardIterator", iteratorOn0 + `"ShardIteratorType":"AFTER_SEQUENCE_NUMBER","StartingSequenceNumber":"5"}`, 400, "InvalidArgumentException",
		"Invalid StartingSequenceNumber. It encodes shardId-000000000005, while it was used in a call to a shard with shardId-000000000000"},
	{"a number of another stream", "GetShardIterator", iteratorOn0 + `"ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"` + otherStreamSeq + `"}`, 400, "InvalidArgumentException",
		"StartingSequenceNumber " + otherStreamSeq + invalidOn0 + " because it did not come from this stream."},
	{"a number with a creation date too large", "GetShardIterator", iteratorOn0 + `"ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"26227199374822427428162556223570313216"}`, 400, "InvalidArgumentException",
		"StartingSequenceNumber 26227199374822427428162556223570313216" + invalidOn0 + "."},
	{"a number whose index has its top bit set", "GetShardIterator", iteratorOn0 + `"ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"49039857307719593840066370180380661734935976090628259842"}`, 400, "InvalidArgumentException",
		"StartingSequenceNumber 49039857307719593840066370180380661734935976090628259842" + invalidOn0 + "."},
	{"a number encoding a negative shard", "GetShardIterator", iteratorOn0 + `"ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"49039857307708443467467104868809893875799651944235008002"}`, 400, "InvalidArgumentException",
		"Invalid StartingSequenceNumber. It encodes shardId--02147483648, while it was used in a call to a shard with shardId-000000000000"},
	{"a missing shard before the number", "GetShardIterator", `{"StreamName":"fixture","ShardId":"shardId-5","ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"5"}`, 400, "ResourceNotFoundException",
		"Shard shardId-000000000005 in stream fixture under account 111111111111 does not exist"},
	{"at a number without one", "GetShardIterator", iteratorOn0 + `"ShardIteratorType":"AT_SEQUENCE_NUMBER"}`, 400, "InvalidArgumentException", mustEither + "AT_SEQUENCE_NUMBER and no StartingSequenceNumber."},
	{"after a number without one", "GetShardIterator", iteratorOn0 + `"ShardIteratorType":"AFTER_SEQUENCE_NUMBER"}`, 400, "InvalidArgumentException", mustEither + "AFTER_SEQUENCE_NUMBER and no StartingSequenceNumber."},
	{"latest with a number", "GetShardIterator", iteratorOn0 + `"ShardIteratorType":"LATEST","StartingSequenceNumber":"5"}`, 400, "InvalidArgumentException", mustEither + "LATEST and also a StartingSequenceNumber."},
	{"trim horizon with a number", "GetShardIterator", iteratorOn0 + `"ShardIteratorType":"TRIM_HORIZON","StartingSequenceNumber":"5"}`, 400, "InvalidArgumentException", mustEither + "TRIM_HORIZON and also a StartingSequenceNumber."},
	{"at a timestamp without one", "GetShardIterator", iteratorOn0 + `"ShardIteratorType":"AT_TIMESTAMP"}`, 400, "InvalidArgumentException",
		"Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter."},
	{"ordering after another stream's number", "PutRecord", `{"StreamName":"fixture","PartitionKey":"a","Data":"","SequenceNumberForOrdering":"` + awsDocSeq + `"}`, 200, "", ""},
	{"ordering after a number of an unknown layout", "PutRecord", `{"StreamName":"fixture","PartitionKey":"a","Data":"","SequenceNumberForOrdering":"49039857307708443467467104868809893875799651944235008003"}`, 400, "InvalidArgumentException",
		"ExclusiveMinimumSequenceNumber 49039857307708443467467104868809893875799651944235008003 used in PutRecord on stream fixture under account 111111111111 is invalid."},
	{"ordering after a number with all bits set", "PutRecord", `{"StreamName":"fixture","PartitionKey":"a","Data":"","SequenceNumberForOrdering":"73559785961551514828601391991642864028743539089244946418"}`, 400, "InvalidArgumentException",
		"ExclusiveMinimumSequenceNumber 73559785961551514828601391991642864028743539089244946418 used in PutRecord on stream fixture under account 111111111111 is invalid."},
}

// Tag and account-limit answers (issue 17, items 6 and 7).
const (
	badTagChars  = "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."
	percentInTag = "Failed to add tags to stream fixture under account 111111111111 because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'."
)

var tagAndLimitRows = []answerRow{
	{"tags of every allowed character", "AddTagsToStream", `{"StreamName":"fixture","Tags":{"ü0 _.":"a","/=+-@":"a","b":"ü0 _./=+-@","c":""}}`, 200, "", ""},
	{"a semicolon in a tag key", "AddTagsToStream", `{"StreamName":"fixture","Tags":{"abc;def":"1"}}`, 400, "InvalidArgumentException", badTagChars},
	{"a tab in a tag key", "AddTagsToStream", `{"StreamName":"fixture","Tags":{"abc\tdef":"1"}}`, 400, "InvalidArgumentException", badTagChars},
	{"a newline in a tag value", "AddTagsToStream", `{"StreamName":"fixture","Tags":{"a":"abc\ndef"}}`, 400, "InvalidArgumentException", badTagChars},
	{"a comma in a tag value", "AddTagsToStream", `{"StreamName":"fixture","Tags":{"a":"abc,def"}}`, 400, "InvalidArgumentException", badTagChars},
	{"a percent sign in a tag key", "AddTagsToStream", `{"StreamName":"fixture","Tags":{"abc%def":"1"}}`, 400, "InvalidArgumentException", percentInTag},
	{"a percent sign in a tag value", "AddTagsToStream", `{"StreamName":"fixture","Tags":{"a":"abc%def"}}`, 400, "InvalidArgumentException", percentInTag},
	{"eleven tags in one call", "AddTagsToStream", `{"StreamName":"fixture","Tags":{"a":"","b":"","c":"","d":"","e":"","f":"","g":"","h":"","i":"","j":"","k":""}}`, 400, "ValidationException",
		"1 validation error detected: Value '{a=, b=, c=, d=, e=, f=, g=, h=, i=, j=, k=}' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 10"},
	{"tags checked before the stream", "AddTagsToStream", `{"StreamName":"missing","Tags":{"abc;def":"1"}}`, 400, "ResourceNotFoundException", "Stream missing under account 111111111111 not found."},
	{"a stream over the account's shards", "CreateStream", `{"StreamName":"s","ShardCount":19999}`, 400, "LimitExceededException",
		"This request would exceed the shard limit for the account 111111111111 in us-east-1. Current shard count for the account: 2. Limit: 20000. " +
			"Number of additional shards that would have resulted from this request: 19999. Refer to the AWS Service Limits page " +
			"(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits."},
	{"a stream up to the server's own cap", "CreateStream", `{"StreamName":"s","ShardCount":10000}`, 200, "", ""},
	{"an existing stream before the limit", "CreateStream", `{"StreamName":"fixture","ShardCount":19999}`, 400, "ResourceInUseException", "Stream fixture under account 111111111111 already exists."},
	{"scaling past the account's shards", "UpdateShardCount", `{"StreamName":"fixture","TargetShardCount":20001,"ScalingType":"UNIFORM_SCALING"}`, 400, "LimitExceededException",
		"This request would exceed the shard limit for the account 111111111111 in us-east-1. Current shard count for the account: 2. Limit: 20000. " +
			"Number of additional shards that would have resulted from this request: 19999. Refer to the AWS Service Limits page " +
			"(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits."},
}

// TestKinesisAnswers checks each row's exact answer over the wire, each
// against a fresh server holding "fixture", a stream of two shards.
func TestKinesisAnswers(t *testing.T) {
	for _, group := range []struct {
		name string
		rows []answerRow
	}{{"shard ids", shardIDRows}, {"serialization", serializationRows}, {"validation", validationRows}, {"sequence numbers", sequenceRows}, {"tags and limits", tagAndLimitRows}} {
		t.Run(group.name, func(t *testing.T) {
			for _, row := range group.rows {
				t.Run(row.name, func(t *testing.T) {
					srv := server.New(emulated.New())
					require.NoError(t, srv.CreateStream(t.Context(), &stream.CreateStreamInput{StreamName: fixtureStream, ShardCount: 2}))
					status, body := call(t, http.Handler(srv), "POST", "Kinesis_20131202."+row.op, jsonType, row.body)
					require.Equal(t, row.status, status, "HTTP status; body %v", body)
					if row.status == 200 {
						return
					}
					assert.Equal(t, row.typ, body["__type"], "__type")
					assert.Equal(t, row.msg, body[messageKey(row.typ)], "message under key %q; body %v", messageKey(row.typ), body)
				})
			}
		})
	}
}
