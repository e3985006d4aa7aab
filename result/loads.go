package result

// ShardLoad is one shard's acknowledged writes: totals, peaks and one count
// per second of the run.
type ShardLoad struct {
	// ShardID is the shard's id, e.g. shardId-000000000001.
	ShardID string `json:"shard_id"`
	// RecordsAcknowledged are the records acknowledged into the shard
	// (CloudWatch: IncomingRecords per shard, an enhanced metric).
	RecordsAcknowledged int64 `json:"records_acknowledged"`
	// BytesAcknowledged are their payload and partition key bytes
	// (CloudWatch: IncomingBytes per shard). Shard loads count Kinesis
	// records, as the shard's limits do: with KPL aggregation one
	// aggregate is one record here.
	BytesAcknowledged int64 `json:"bytes_acknowledged"`
	// UserRecordsAcknowledged are the user records in those Kinesis
	// records: RecordsAcknowledged without aggregation, more with it.
	UserRecordsAcknowledged int64 `json:"user_records_acknowledged"`
	// PeakRecordsPerS is the shard's busiest second in records (its write
	// limit is ShardRecordsPerSLimit, 1,000 records/s).
	PeakRecordsPerS int64 `json:"peak_records_per_s"`
	// PeakBytesPerS is the shard's busiest second in bytes (its write limit
	// is ShardBytesPerSLimit, 1 MiB/s).
	PeakBytesPerS int64 `json:"peak_bytes_per_s"`
	// PutAttempts are the record attempts known to have gone to the shard:
	// acknowledged ones and throttled ones (Kinesis names the shard in its
	// throttling message). Internal failures and calls that failed whole
	// name no shard; they count in totals only.
	PutAttempts int64 `json:"put_attempts"`
	// RecordsThrottled are the record attempts the shard throttled
	// (CloudWatch: WriteProvisionedThroughputExceeded per shard).
	RecordsThrottled int64 `json:"records_throttled"`
	// RecordsDeadLettered are the records whose last attempt the shard
	// throttled, so they were dead-lettered.
	RecordsDeadLettered int64 `json:"records_dead_lettered"`
	// GetRecordsCalls are the built-in polling consumers' GetRecords calls
	// on the shard.
	GetRecordsCalls int64 `json:"get_records_calls"`
	// ReadThrottles are those GetRecords calls the shard throttled
	// (CloudWatch: ReadProvisionedThroughputExceeded per shard).
	ReadThrottles int64 `json:"read_throttles"`
	// RecordsPerS are the records acknowledged into the shard in each
	// point of Result.ShardsBucketS seconds (each second when that is 1),
	// from second 0.
	RecordsPerS []int64 `json:"records_per_s"`
	// BytesPerS are their bytes, point by point.
	BytesPerS []int64 `json:"bytes_per_s"`
	// RecordsThrottledPerS are the throttled record attempts, point by point.
	RecordsThrottledPerS []int64 `json:"records_throttled_per_s"`
}

// ConsumerLoad is one built-in consumer's reading, second by second, in
// result.json's consumers section. Each slice has one entry per point of
// the series (Result.SeriesBucketS seconds): sums of records and bytes,
// the largest backlog.
type ConsumerLoad struct {
	// Consumer is the consumer's name in the scenario.
	Consumer string `json:"consumer"`
	// RecordsPerS are the deliveries (re-deliveries included) per second
	// (CloudWatch: GetRecords.Records).
	RecordsPerS []int64 `json:"records_per_s"`
	// BytesPerS are the data bytes delivered per second (GetRecords.Bytes).
	BytesPerS []int64 `json:"bytes_per_s"`
	// BacklogRecords is, at the end of each second, the records acknowledged
	// so far (on every stream) that the consumer had not yet received: they
	// wait in the stream. Records before its start position stay in it.
	BacklogRecords []int64 `json:"backlog_records"`
}

// ProducerTotals are one producer's counts (the run's Totals hold their
// sums). Record counters count records; attempt counters count record attempts.
type ProducerTotals struct {
	// RecordsScheduled are the records the rate schedule asked for.
	RecordsScheduled int64 `json:"records_scheduled"`
	// RecordsSent are the records handed to the target at least once.
	RecordsSent int64 `json:"records_sent"`
	// RecordsAcknowledged are the records the target acknowledged with a
	// sequence number (CloudWatch: IncomingRecords, PutRecords.SuccessfulRecords).
	RecordsAcknowledged int64 `json:"records_acknowledged"`
	// BytesAcknowledged are the payload and partition key bytes acknowledged
	// (CloudWatch: IncomingBytes).
	BytesAcknowledged int64 `json:"bytes_acknowledged"`
	// PutAttempts are record attempts, retries included (CloudWatch: PutRecords.TotalRecords).
	PutAttempts int64 `json:"put_attempts"`
	// RecordsThrottled are record attempts answered
	// ProvisionedThroughputExceededException (CloudWatch:
	// WriteProvisionedThroughputExceeded, PutRecords.ThrottledRecords).
	RecordsThrottled int64 `json:"records_throttled"`
	// RecordsFailed are record attempts that failed otherwise: InternalFailure,
	// a failed call (CloudWatch: PutRecords.FailedRecords counts the former).
	RecordsFailed int64 `json:"records_failed"`
	// RecordsRetried are record attempts that were retries.
	RecordsRetried int64 `json:"records_retried"`
	// RecordsDeadLettered are records that failed every attempt; they are
	// in the run folder's dead-letters.jsonl.
	RecordsDeadLettered int64 `json:"records_dead_lettered"`
	// RecordsUnfinished are records still unacknowledged when a stopped
	// run's drain time ran out; kept in dead-letters.jsonl too.
	RecordsUnfinished int64 `json:"records_unfinished"`
	// RecordsDropped are records shed by the drop or sample backpressure policy.
	RecordsDropped int64 `json:"records_dropped"`
	// RecordsUnsent are records the rate schedule asked for that were never
	// made: the producer was still behind the schedule (held up by
	// max_in_flight or backpressure, or too slow) when the run's duration
	// ended, and producers stop at the duration. RecordsScheduled counts
	// the records made, so the two add up to the schedule's total (for a
	// Poisson schedule, its expected total).
	RecordsUnsent int64 `json:"records_unsent"`
	// PutCalls are PutRecords (or PutRecord) calls made.
	PutCalls int64 `json:"put_calls"`
	// PutCallErrors are calls that failed as a whole (a throttled call, a
	// timeout, a reset connection).
	PutCallErrors int64 `json:"put_call_errors"`
	// KinesisRecordsAcknowledged are the Kinesis records acknowledged: the
	// records the stream stored and its shard limits count (CloudWatch:
	// IncomingRecords). Without KPL aggregation each holds one user record
	// and this equals RecordsAcknowledged; with it, one aggregate holds
	// many, and every other record count here counts user records.
	KinesisRecordsAcknowledged int64 `json:"kinesis_records_acknowledged"`
	// KinesisBytesAcknowledged are their data and partition key bytes, the
	// aggregates' format overhead included (CloudWatch: IncomingBytes).
	KinesisBytesAcknowledged int64 `json:"kinesis_bytes_acknowledged"`
	// RecordsWrongShard are user record attempts acknowledged on another
	// shard than an aggregating producer predicted (its shard map was out of
	// date after a reshard); they were put again, as KPL does.
	RecordsWrongShard int64 `json:"records_wrong_shard,omitempty"`
}

// ThrottledRatio is throttled record attempts over all record attempts.
func (t ProducerTotals) ThrottledRatio() float64 {
	if t.PutAttempts == 0 {
		return 0
	}
	return float64(t.RecordsThrottled) / float64(t.PutAttempts)
}
