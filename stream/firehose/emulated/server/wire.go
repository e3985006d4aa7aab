package server

import (
	"encoding/json"
	"strconv"
	"time"
)

// The JSON shapes of the Firehose API (firehose-2015-08-04) this server
// reads and writes. Optional members are pointers so that "absent" and
// "zero" differ, as validation needs.

type recordJSON struct {
	Data []byte `json:"Data"` // base64 on the wire
}

type putRecordRequest struct {
	DeliveryStreamName *string     `json:"DeliveryStreamName"`
	Record             *recordJSON `json:"Record"`
}

type putRecordResponse struct {
	RecordID  string `json:"RecordId"`
	Encrypted bool   `json:"Encrypted"`
}

type putRecordBatchRequest struct {
	DeliveryStreamName *string      `json:"DeliveryStreamName"`
	Records            []recordJSON `json:"Records"`
}

type batchEntryJSON struct {
	RecordID     string `json:"RecordId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

type putRecordBatchResponse struct {
	FailedPutCount   int              `json:"FailedPutCount"`
	Encrypted        bool             `json:"Encrypted"`
	RequestResponses []batchEntryJSON `json:"RequestResponses"`
}

type bufferingHintsJSON struct {
	SizeInMBs         *int64 `json:"SizeInMBs,omitempty"`
	IntervalInSeconds *int64 `json:"IntervalInSeconds,omitempty"`
}

type processorParameterJSON struct {
	ParameterName  string `json:"ParameterName"`
	ParameterValue string `json:"ParameterValue"`
}

type processorJSON struct {
	Type       string                   `json:"Type"`
	Parameters []processorParameterJSON `json:"Parameters,omitempty"`
}

type processingConfigurationJSON struct {
	Enabled    *bool           `json:"Enabled,omitempty"`
	Processors []processorJSON `json:"Processors,omitempty"`
}

// s3ConfigJSON is ExtendedS3DestinationConfiguration (and the members of
// the older S3DestinationConfiguration it shares).
type s3ConfigJSON struct {
	BucketARN               *string                      `json:"BucketARN"`
	RoleARN                 *string                      `json:"RoleARN"`
	Prefix                  *string                      `json:"Prefix,omitempty"`
	ErrorOutputPrefix       *string                      `json:"ErrorOutputPrefix,omitempty"`
	BufferingHints          *bufferingHintsJSON          `json:"BufferingHints,omitempty"`
	CompressionFormat       *string                      `json:"CompressionFormat,omitempty"`
	ProcessingConfiguration *processingConfigurationJSON `json:"ProcessingConfiguration,omitempty"`
}

type tagJSON struct {
	Key   string  `json:"Key"`
	Value *string `json:"Value,omitempty"`
}

type createRequest struct {
	DeliveryStreamName                 *string       `json:"DeliveryStreamName"`
	DeliveryStreamType                 *string       `json:"DeliveryStreamType"`
	ExtendedS3DestinationConfiguration *s3ConfigJSON `json:"ExtendedS3DestinationConfiguration"`
	S3DestinationConfiguration         *s3ConfigJSON `json:"S3DestinationConfiguration"`
	Tags                               []tagJSON     `json:"Tags"`
	// Destinations kinesim does not emulate; their presence is refused.
	KinesisStreamSourceConfiguration     json.RawMessage `json:"KinesisStreamSourceConfiguration"`
	RedshiftDestinationConfiguration     json.RawMessage `json:"RedshiftDestinationConfiguration"`
	ElasticsearchDestinationConfig       json.RawMessage `json:"ElasticsearchDestinationConfiguration"`
	AmazonopensearchserviceDestination   json.RawMessage `json:"AmazonopensearchserviceDestinationConfiguration"`
	SplunkDestinationConfiguration       json.RawMessage `json:"SplunkDestinationConfiguration"`
	HTTPEndpointDestinationConfiguration json.RawMessage `json:"HttpEndpointDestinationConfiguration"`
}

type createResponse struct {
	DeliveryStreamARN string `json:"DeliveryStreamARN"`
}

type streamNameRequest struct {
	DeliveryStreamName *string `json:"DeliveryStreamName"`
}

type encryptionJSON struct {
	NoEncryptionConfig string `json:"NoEncryptionConfig"`
}

type s3DescriptionJSON struct {
	BucketARN               string                       `json:"BucketARN"`
	RoleARN                 string                       `json:"RoleARN"`
	Prefix                  string                       `json:"Prefix,omitempty"`
	ErrorOutputPrefix       string                       `json:"ErrorOutputPrefix,omitempty"`
	BufferingHints          bufferingHintsJSON           `json:"BufferingHints"`
	CompressionFormat       string                       `json:"CompressionFormat"`
	EncryptionConfiguration encryptionJSON               `json:"EncryptionConfiguration"`
	ProcessingConfiguration *processingConfigurationJSON `json:"ProcessingConfiguration,omitempty"`
}

type destinationJSON struct {
	DestinationID                    string             `json:"DestinationId"`
	ExtendedS3DestinationDescription *s3DescriptionJSON `json:"ExtendedS3DestinationDescription"`
	S3DestinationDescription         *s3DescriptionJSON `json:"S3DestinationDescription"`
}

type descriptionJSON struct {
	DeliveryStreamName   string            `json:"DeliveryStreamName"`
	DeliveryStreamARN    string            `json:"DeliveryStreamARN"`
	DeliveryStreamStatus string            `json:"DeliveryStreamStatus"`
	DeliveryStreamType   string            `json:"DeliveryStreamType"`
	VersionID            string            `json:"VersionId"`
	CreateTimestamp      epochSeconds      `json:"CreateTimestamp"`
	Destinations         []destinationJSON `json:"Destinations"`
	HasMoreDestinations  bool              `json:"HasMoreDestinations"`
}

type describeResponse struct {
	DeliveryStreamDescription descriptionJSON `json:"DeliveryStreamDescription"`
}

type listRequest struct {
	Limit                            *int64  `json:"Limit"`
	DeliveryStreamType               *string `json:"DeliveryStreamType"`
	ExclusiveStartDeliveryStreamName *string `json:"ExclusiveStartDeliveryStreamName"`
}

type listResponse struct {
	DeliveryStreamNames    []string `json:"DeliveryStreamNames"`
	HasMoreDeliveryStreams bool     `json:"HasMoreDeliveryStreams"`
}

type listTagsRequest struct {
	DeliveryStreamName   *string `json:"DeliveryStreamName"`
	ExclusiveStartTagKey *string `json:"ExclusiveStartTagKey"`
	Limit                *int64  `json:"Limit"`
}

type listTagsResponse struct {
	Tags        []tagJSON `json:"Tags"`
	HasMoreTags bool      `json:"HasMoreTags"`
}

// epochSeconds is a timestamp as JSON 1.1 writes it: seconds since the
// epoch, with a fraction.
type epochSeconds time.Time

func (t epochSeconds) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)), nil
}
