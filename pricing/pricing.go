// Package pricing is kinesim's dated price table for Kinesis Data Streams
// and the billing units it is applied to. `kinesim plan` prices its
// candidate shard counts with it; the cost guard of package targets
// estimates a run on Amazon Kinesis itself with it, so both quote the same
// amounts and the same date.
//
// The built-in table (prices.json, Default) carries its region, date and
// source; a user's own file has the same shape (Load).
//
// Concurrency: every function is safe to call from any goroutine. A
// *Prices is plain data with no lock: Default returns a fresh copy each
// time, which a caller may change; share one only for reading.
package pricing

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"os"
)

// Billing units.
const (
	// PutPayloadUnitBytes is a PUT payload unit: each record (data and
	// partition key) counts one unit per 25 KB (25,600 bytes) or part of it.
	PutPayloadUnitBytes = 25 * 1024
	// OnDemandUnitBytes is on-demand's rounding of data in: each record is
	// rounded up to 1 KB (1,024 bytes), as the pricing page says.
	OnDemandUnitBytes = 1024
	// GiB is AWS's billing gigabyte.
	GiB = 1 << 30
)

// PutPayloadUnits is how many PUT payload units a record of size bytes
// (data and partition key) counts: one per 25 KB or part of it.
func PutPayloadUnits(size int) float64 {
	return math.Ceil(float64(size) / PutPayloadUnitBytes)
}

// OnDemandUnits is how many 1 KB units a record of size bytes counts in an
// on-demand stream's data in.
func OnDemandUnits(size int) float64 {
	return math.Ceil(float64(size) / OnDemandUnitBytes)
}

// Prices are the amounts kinesim prices streams with, in Currency.
type Prices struct {
	Region   string `json:"region"`
	Date     string `json:"date"`
	Currency string `json:"currency"`
	Source   string `json:"source"`

	Provisioned struct {
		ShardHour float64 `json:"shard_hour"`
		// PutPayloadUnitsPerMillion prices PUT payload units: each record
		// counts one unit per 25 KB (25,600 bytes) or part of it.
		PutPayloadUnitsPerMillion float64 `json:"put_payload_units_per_million"`
		EFOConsumerShardHour      float64 `json:"efo_consumer_shard_hour"`
		EFOGB                     float64 `json:"efo_gb"`
	} `json:"provisioned"`
	OnDemand struct {
		StreamHour float64 `json:"stream_hour"`
		// GBIn prices data written, each record rounded up to 1 KB (1,024 bytes).
		GBIn  float64 `json:"gb_in"`
		GBOut float64 `json:"gb_out"`
	} `json:"on_demand"`

	// Firehose prices Amazon Data Firehose delivery streams (Direct PUT,
	// S3 destination).
	Firehose FirehosePrices `json:"firehose"`

	// Unsourced names the amounts no dated source confirms.
	Unsourced []string `json:"unsourced,omitempty"`
	Notes     string   `json:"notes,omitempty"`
}

// FirehosePrices are Amazon Data Firehose's amounts.
type FirehosePrices struct {
	// IngestionGB prices Direct PUT ingestion (the first tier), per GB of
	// records each rounded up to FirehoseUnitBytes.
	IngestionGB float64 `json:"ingestion_gb"`
	// S3PutPer1000 prices the S3 PUT requests the delivered objects cost
	// (billed by S3, not Firehose).
	S3PutPer1000 float64 `json:"s3_put_per_1000"`
	Source       string  `json:"source,omitempty"`
}

// FirehoseUnitBytes is Firehose's ingestion rounding: each record is billed
// as a whole number of 5 KB (5,120 bytes) units.
const FirehoseUnitBytes = 5 * 1024

// FirehoseBilledBytes is what a record of size bytes counts in Firehose's
// ingestion: its size rounded up to 5 KB, so a 100-byte record bills 5 KB.
func FirehoseBilledBytes(size int) float64 {
	return math.Ceil(float64(max(size, 1))/FirehoseUnitBytes) * FirehoseUnitBytes
}

// AsOf says where and when the amounts were taken, for a printed estimate:
// "us-east-1 USD prices dated 2026-11-26".
func (p *Prices) AsOf() string {
	return fmt.Sprintf("%s %s prices dated %s", p.Region, p.Currency, p.Date)
}

//go:embed prices.json
var builtin []byte

// Default returns the built-in price table (a fresh copy).
func Default() *Prices {
	p, err := Parse(builtin, "prices.json")
	if err != nil {
		panic(err) // the embedded table is tested
	}
	return p
}

// Load reads a price table from a JSON file shaped like the built-in
// prices.json. Unknown fields and a missing date are errors: a price always
// says how old it is.
func Load(path string) (*Prices, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("prices: %w", err)
	}
	return Parse(data, path)
}

// Parse reads a price table from data; name says where it came from in errors.
func Parse(data []byte, name string) (*Prices, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Prices
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("prices %s: %w (see pricing/prices.json for the shape)", name, err)
	}
	if p.Date == "" {
		return nil, fmt.Errorf("prices %s: date is missing; say when the amounts were taken, e.g. \"date\": \"2025-01-15\"", name)
	}
	if p.Currency == "" {
		p.Currency = "USD"
	}
	return &p, nil
}
