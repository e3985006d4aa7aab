package plan

import "github.com/kinesim/kinesim/plan/pricing"

// Prices are the amounts a plan prices its candidates with, in Currency:
// package pricing's table, which the runner's cost guard uses too.
type Prices = pricing.Prices

// DefaultPrices returns the built-in price table (a fresh copy); see
// pricing.Default.
func DefaultPrices() *Prices { return pricing.Default() }

// LoadPrices reads a price table from a JSON file shaped like the built-in
// plan/pricing/prices.json. Unknown fields and a missing date are errors: a
// plan always says how old its prices are.
func LoadPrices(path string) (*Prices, error) { return pricing.Load(path) }
