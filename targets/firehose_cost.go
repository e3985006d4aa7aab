package targets

import (
	"math"

	"github.com/kinesim/kinesim/pricing"
	"github.com/kinesim/kinesim/scenarios"
)

// EstimateFirehoseCost estimates what running sc (a firehose target) on
// Amazon Data Firehose costs, with prices (pricing.Default() when nil):
// Direct PUT ingestion, each record rounded up to 5 KB, and the S3 PUT
// requests of the objects the buffering hints make (ObjectsFor). Record
// sizes come from CostSampleRecords records of each producer; it makes no
// call to any endpoint.
func EstimateFirehoseCost(sc *scenarios.Scenario, prices *pricing.Prices) (CostEstimate, error) {
	if prices == nil {
		prices = pricing.Default()
	}
	est := CostEstimate{Firehose: true, Currency: prices.Currency, PricesAsOf: prices.AsOf()}
	var billed float64
	for i := range sc.Producers {
		s, err := sampleRecords(sc, i, CostSampleRecords)
		if err != nil {
			return CostEstimate{}, err
		}
		est.Records += s.records
		est.Bytes += s.records * s.dataBytes
		billed += s.records * s.billed
	}
	est.BilledGB = billed / pricing.GiB
	f := sc.Target.Firehose
	est.Objects = ObjectsFor(est.Bytes, sc.Duration.D().Seconds(), f.Buffering.SizeOrDefault(), f.Buffering.IntervalOrDefault().Seconds())
	est.Total = est.BilledGB*prices.Firehose.IngestionGB + est.Objects/1000*prices.Firehose.S3PutPer1000
	return est, nil
}

// ObjectsFor is how many objects a delivery stream receiving bytes evenly
// over seconds writes with the buffering hints sizeMB and intervalS: an
// object is cut at the size hint or the interval, whichever comes first,
// so the count is the larger of the two cuts' counts (an interval of 0
// delivers at once: at least one object a second, kinesim's estimate).
func ObjectsFor(bytes, seconds float64, sizeMB int, intervalS float64) float64 {
	if bytes <= 0 || seconds <= 0 {
		return 0
	}
	bySize := math.Ceil(bytes / float64(sizeMB<<20))
	byInterval := math.Ceil(seconds / max(intervalS, 1))
	return max(bySize, byInterval)
}
