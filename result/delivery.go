package result

// Delivery is what a Firehose target delivered to its S3 destination, read
// back after the run and matched with the ledger by record id.
type Delivery struct {
	// DeliveryStream is the delivery stream's name.
	DeliveryStream string `json:"delivery_stream"`
	// Destination is where the objects were read from: a folder, or
	// s3://bucket/prefix (with the endpoint of an S3-compatible server).
	Destination string `json:"destination"`
	// BufferSizeMB is the stream's size hint (BufferingHints.SizeInMBs).
	BufferSizeMB int `json:"buffer_size_mb"`
	// BufferIntervalS is its interval hint in seconds (IntervalInSeconds).
	BufferIntervalS float64 `json:"buffer_interval_s"`
	// Compression is none or gzip.
	Compression string `json:"compression"`
	// Objects is how many objects the stream wrote (those of failed
	// attempts included: they are in S3 too).
	Objects int64 `json:"objects"`
	// ObjectsPerHour is Objects over the run's planned duration.
	ObjectsPerHour float64 `json:"objects_per_hour"`
	// StoredBytes is the objects' total size, after compression.
	StoredBytes int64 `json:"stored_bytes"`
	// ObjectBytes is the distribution of object sizes (after compression),
	// in bytes.
	ObjectBytes Percentiles `json:"object_bytes"`
	// RecordsPerObject is the distribution of records per object.
	RecordsPerObject Percentiles `json:"records_per_object"`
	// Records counts every record found in the objects, duplicates included.
	Records int64 `json:"records"`
	// DistinctRecords is the acknowledged records found at least once.
	DistinctRecords int64 `json:"distinct_records"`
	// DuplicateRecords counts records found beyond their first copy: the
	// duplicates of at-least-once delivery (and of producer retries after a
	// lost acknowledgement).
	DuplicateRecords int64 `json:"duplicate_records"`
	// LostRecords are acknowledged records found in no object.
	LostRecords int64 `json:"lost_records"`
	// UnknownRecords are records without a kinesim id, or with an id the
	// run's ledger does not hold.
	UnknownRecords int64 `json:"unknown_records"`
	// FreshnessMs is, per record found (first copy), the time from its
	// intended send to its object's LastModified: what
	// DeliveryToS3.DataFreshness shows at its worst, per record.
	FreshnessMs Percentiles `json:"freshness_ms"`
	// Error says why the destination could not be read (in full).
	Error string `json:"error,omitempty"`
}
