package plan

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Prices are the amounts a plan prices its candidates with, in Currency.
// The built-in table (prices.json, DefaultPrices) carries its date and
// source; a user's own file has the same shape (LoadPrices).
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

	// Unsourced names the amounts no dated source confirms.
	Unsourced []string `json:"unsourced,omitempty"`
	Notes     string   `json:"notes,omitempty"`
}

//go:embed prices.json
var builtinPrices []byte

// DefaultPrices returns the built-in price table (a fresh copy).
func DefaultPrices() *Prices {
	p, err := parsePrices(builtinPrices, "prices.json")
	if err != nil {
		panic(err) // the embedded table is tested
	}
	return p
}

// LoadPrices reads a price table from a JSON file shaped like the built-in
// prices.json. Unknown fields and a missing date are errors: a plan always
// says how old its prices are.
func LoadPrices(path string) (*Prices, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("prices: %w", err)
	}
	return parsePrices(data, path)
}

func parsePrices(data []byte, name string) (*Prices, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var p Prices
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("prices %s: %w (see plan/prices.json for the shape)", name, err)
	}
	if p.Date == "" {
		return nil, fmt.Errorf("prices %s: date is missing; say when the amounts were taken, e.g. \"date\": \"2025-01-15\"", name)
	}
	if p.Currency == "" {
		p.Currency = "USD"
	}
	return &p, nil
}
