package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/kinesim/kinesim/pricing"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/targets"
)

// HoursPerMonth is AWS's billing month (730 hours).
const HoursPerMonth = 730

// FirehosePlan is `kinesim plan` for a firehose scenario: the buffering
// hints that meet the data freshness objective with the fewest (largest)
// objects, the objects they make per hour, and the monthly cost of
// ingestion (each record billed in 5 KB units) and of the objects' S3 PUTs.
type FirehosePlan struct {
	Scenario       string `json:"scenario"`
	DeliveryStream string `json:"delivery_stream"`
	// MaxDataFreshnessS is the objective (AWS's default interval when the
	// scenario sets none).
	MaxDataFreshnessS float64 `json:"max_data_freshness_s"`

	// The traffic, from the rate schedules and sampled record sizes.
	MeanRecordsPerS float64 `json:"mean_records_per_s"`
	PeakRecordsPerS float64 `json:"peak_records_per_s"`
	MeanBytesPerS   float64 `json:"mean_bytes_per_s"`
	PeakBytesPerS   float64 `json:"peak_bytes_per_s"`
	MeanRecordBytes float64 `json:"mean_record_bytes"`
	// BilledBytesPerRecord is the mean record rounded up to 5 KB units.
	BilledBytesPerRecord float64 `json:"billed_bytes_per_record"`

	// Recommended buffering hints, and the longest a record waits with
	// them at the mean and the peak rate (the first record of a buffer
	// waits for its whole cut, plus Firehose's own delivery time).
	SizeMB            int     `json:"size_mb"`
	IntervalS         int     `json:"interval_s"`
	WorstFreshnessS   float64 `json:"worst_freshness_s"`
	PeakFreshnessS    float64 `json:"peak_freshness_s"`
	CutAtPeak         string  `json:"cut_at_peak"`
	ObjectsPerHour    float64 `json:"objects_per_hour"`
	PeakObjectsPerH   float64 `json:"peak_objects_per_hour"`
	MeanObjectBytes   float64 `json:"mean_object_bytes"`
	ScenarioIntervalS int     `json:"scenario_interval_s"`
	ScenarioSizeMB    int     `json:"scenario_size_mb"`
	// ScenarioWorstFreshnessS is the scenario's own hints' worst wait.
	ScenarioWorstFreshnessS float64 `json:"scenario_worst_freshness_s"`

	// A month (730 h) at the mean rate.
	MonthlyRecords      float64 `json:"monthly_records"`
	MonthlyDataGB       float64 `json:"monthly_data_gb"`
	MonthlyBilledGB     float64 `json:"monthly_billed_gb"`
	MonthlyObjects      float64 `json:"monthly_objects"`
	MonthlyIngestion    float64 `json:"monthly_ingestion"`
	MonthlyS3Puts       float64 `json:"monthly_s3_puts"`
	MonthlyTotal        float64 `json:"monthly_total"`
	Currency            string  `json:"currency"`
	PricesAsOf          string  `json:"prices_as_of"`
	PricesUnconfirmed   bool    `json:"prices_unconfirmed"`
	SmallRecordOverhead float64 `json:"small_record_overhead"`
}

// Firehose plans a firehose scenario with prices (pricing.Default() when
// nil). It runs nothing: the traffic comes from the rate schedules and the
// generators' sampled records.
func Firehose(sc *scenarios.Scenario, prices *pricing.Prices) (*FirehosePlan, error) {
	if !sc.Target.IsFirehose() {
		return nil, fmt.Errorf("%w: %s is not a firehose scenario", ErrBadObjectives, sc.Name)
	}
	if prices == nil {
		prices = pricing.Default()
	}
	est, err := targets.EstimateFirehoseCost(sc, prices)
	if err != nil {
		return nil, err
	}
	seconds := sc.Duration.D().Seconds()
	p := &FirehosePlan{Scenario: sc.Name, DeliveryStream: sc.Target.Stream, Currency: prices.Currency, PricesAsOf: prices.AsOf(),
		MaxDataFreshnessS: scenarios.DefaultBufferInterval.D().Seconds()}
	if o := sc.Objectives; o != nil && o.MaxDataFreshness > 0 {
		p.MaxDataFreshnessS = o.MaxDataFreshness.D().Seconds()
	}
	if est.Records == 0 || seconds == 0 {
		return nil, fmt.Errorf("%w: the scenario makes no records", ErrBadObjectives)
	}
	p.MeanRecordBytes = est.Bytes / est.Records
	p.BilledBytesPerRecord = est.BilledGB * pricing.GiB / est.Records
	p.SmallRecordOverhead = p.BilledBytesPerRecord / p.MeanRecordBytes
	p.MeanRecordsPerS = est.Records / seconds
	p.PeakRecordsPerS, err = peakRate(sc)
	if err != nil {
		return nil, err
	}
	p.MeanBytesPerS, p.PeakBytesPerS = p.MeanRecordsPerS*p.MeanRecordBytes, p.PeakRecordsPerS*p.MeanRecordBytes

	p.IntervalS = int(min(p.MaxDataFreshnessS, scenarios.MaxBufferInterval.D().Seconds()))
	// The smallest size hint the peak does not reach within the interval
	// (objects as large as the objective allows), at most 128 MiB.
	p.SizeMB = int(min(max(math.Ceil(p.PeakBytesPerS*float64(p.IntervalS)/(1<<20)), scenarios.MinBufferSizeMB), scenarios.MaxBufferSizeMB))
	cut := func(rate float64, sizeMB, intervalS int) float64 {
		bySize := float64(sizeMB<<20) / rate
		return min(bySize, float64(max(intervalS, 1)))
	}
	p.WorstFreshnessS = cut(p.MeanBytesPerS, p.SizeMB, p.IntervalS)
	p.PeakFreshnessS = cut(p.PeakBytesPerS, p.SizeMB, p.IntervalS)
	p.CutAtPeak = "interval"
	if p.PeakFreshnessS < float64(max(p.IntervalS, 1)) {
		p.CutAtPeak = "size"
	}
	p.ObjectsPerHour = 3600 / p.WorstFreshnessS
	p.PeakObjectsPerH = 3600 / p.PeakFreshnessS
	p.MeanObjectBytes = p.MeanBytesPerS * p.WorstFreshnessS
	f := sc.Target.Firehose
	p.ScenarioSizeMB, p.ScenarioIntervalS = f.Buffering.SizeOrDefault(), int(f.Buffering.IntervalOrDefault()/time.Second)
	p.ScenarioWorstFreshnessS = cut(p.MeanBytesPerS, p.ScenarioSizeMB, p.ScenarioIntervalS)

	monthS := float64(HoursPerMonth * 3600)
	p.MonthlyRecords = p.MeanRecordsPerS * monthS
	p.MonthlyDataGB = p.MonthlyRecords * p.MeanRecordBytes / pricing.GiB
	p.MonthlyBilledGB = p.MonthlyRecords * p.BilledBytesPerRecord / pricing.GiB
	p.MonthlyObjects = p.ObjectsPerHour * HoursPerMonth
	p.MonthlyIngestion = p.MonthlyBilledGB * prices.Firehose.IngestionGB
	p.MonthlyS3Puts = p.MonthlyObjects / 1000 * prices.Firehose.S3PutPer1000
	p.MonthlyTotal = p.MonthlyIngestion + p.MonthlyS3Puts
	for _, u := range prices.Unsourced {
		if u == "firehose.ingestion_gb" {
			p.PricesUnconfirmed = true
		}
	}
	return p, nil
}

// peakRate is the busiest second's records of all producers together,
// from the rate schedules (sampled at most 100,000 times over the run).
func peakRate(sc *scenarios.Scenario) (float64, error) {
	d := sc.Duration.D()
	step := max(time.Second, d/100_000)
	var peak float64
	var due []func(time.Duration) float64
	for i := range sc.Producers {
		tr, err := runner.CompileTraffic(sc, i)
		if err != nil {
			return 0, err
		}
		due = append(due, tr.Schedule.Due)
	}
	for t := time.Duration(0); t < d; t += step {
		var n float64
		for _, f := range due {
			n += f(min(t+step, d)) - f(t)
		}
		peak = max(peak, n/min(step, d-t).Seconds())
	}
	return peak, nil
}

// WriteText prints the plan.
func (p *FirehosePlan) WriteText(w io.Writer) error {
	unconfirmed := ""
	if p.PricesUnconfirmed {
		unconfirmed = " (amounts not confirmed from a dated AWS source; see pricing/prices.json)"
	}
	_, err := fmt.Fprintf(w, `kinesim plan %s: Firehose delivery stream %q
traffic        %.1f records/s mean, %.1f peak; %.0f B per record mean, billed as %.0f B (5 KB units: %.1fx its size)
objective      data freshness at most %s
recommended    buffering {size_mb: %d, interval: %ds}: objects cut by the %s at the peak
freshness      a record waits at most %s at the mean rate, %s at the peak (plus Firehose's delivery time)
objects        %.1f per hour at the mean rate (%.1f at the peak), %.2f MiB each on average (before compression)
scenario       its hints {size_mb: %d, interval: %ds} make records wait up to %s at the mean rate
month (730 h)  %.0f records, %.3f GB of data, %.3f GB billed; %.0f objects
cost           ingestion %.2f + S3 PUTs %.2f = %.2f %s a month (%s%s)
`, p.Scenario, p.DeliveryStream, p.MeanRecordsPerS, p.PeakRecordsPerS, p.MeanRecordBytes, p.BilledBytesPerRecord, p.SmallRecordOverhead,
		secondsText(p.MaxDataFreshnessS), p.SizeMB, p.IntervalS, p.CutAtPeak,
		secondsText(p.WorstFreshnessS), secondsText(p.PeakFreshnessS),
		p.ObjectsPerHour, p.PeakObjectsPerH, p.MeanObjectBytes/(1<<20),
		p.ScenarioSizeMB, p.ScenarioIntervalS, secondsText(p.ScenarioWorstFreshnessS),
		p.MonthlyRecords, p.MonthlyDataGB, p.MonthlyBilledGB, p.MonthlyObjects,
		p.MonthlyIngestion, p.MonthlyS3Puts, p.MonthlyTotal, p.Currency, p.PricesAsOf, unconfirmed)
	return err
}

// WriteFile writes the plan as JSON (JSONFile) into dir.
func (p *FirehosePlan) WriteFile(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, JSONFile)
	return path, os.WriteFile(path, append(data, '\n'), 0o644)
}

func secondsText(s float64) string {
	return (time.Duration(s*10) * time.Second / 10).Round(100 * time.Millisecond).String()
}
