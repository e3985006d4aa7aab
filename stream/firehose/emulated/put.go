package emulated

import (
	"context"
	"fmt"

	"github.com/kinesim/kinesim/stream/delivery"
)

// PutRecordBatch accepts up to 500 records, answering each: a RecordId, or
// ServiceUnavailableException "Slow down." for the records over the
// stream's records or bytes quota (in request order: the first records that
// fit are taken). A call over the requests quota fails as a whole with
// ServiceUnavailableException. Limits broken (500 records, 1,000 KiB a
// record, 4 MiB a call) fail the call before anything is taken.
func (e *Emulator) PutRecordBatch(_ context.Context, in *delivery.PutRecordBatchInput) (*delivery.PutRecordBatchOutput, error) {
	if err := checkBatch(in.Records); err != nil {
		return nil, err
	}
	s, err := e.stream(in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	return s.put(in.Records, false)
}

// PutRecord accepts one record; over the quota, the call fails with
// ServiceUnavailableException "Slow down.".
func (e *Emulator) PutRecord(_ context.Context, name string, r delivery.Record) (string, error) {
	if err := checkRecord(r, "record.data"); err != nil {
		return "", err
	}
	s, err := e.stream(name)
	if err != nil {
		return "", err
	}
	out, err := s.put([]delivery.Record{r}, true)
	if err != nil {
		return "", err
	}
	return out.Entries[0].RecordID, nil
}

// checkBatch applies PutRecordBatch's limits, worded as AWS's validation
// answers are ("1 validation error detected: Value '...' at 'records'
// failed to satisfy constraint: ...").
func checkBatch(records []delivery.Record) error {
	switch n := len(records); {
	case n == 0:
		return validation("records", "Member must have length greater than or equal to 1")
	case n > delivery.MaxBatchRecords:
		return validation("records", fmt.Sprintf("Member must have length less than or equal to %d", delivery.MaxBatchRecords))
	}
	total := 0
	for i, r := range records {
		if err := checkRecord(r, fmt.Sprintf("records.%d.member.data", i+1)); err != nil {
			return err
		}
		total += len(r.Data)
	}
	if total > delivery.MaxBatchBytes {
		return delivery.Errorf(delivery.CodeInvalidArgument, "Records size exceeds 4 MB limit")
	}
	return nil
}

func checkRecord(r delivery.Record, member string) error {
	if len(r.Data) > delivery.MaxRecordBytes {
		return validation(member, fmt.Sprintf("Member must have length less than or equal to %d", delivery.MaxRecordBytes))
	}
	return nil
}

func validation(member, constraint string) error {
	return delivery.Errorf(delivery.CodeValidation, "1 validation error detected: Value at '%s' failed to satisfy constraint: %s", member, constraint)
}
