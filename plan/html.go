package plan

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/kinesim/kinesim/reports"
)

// HTMLFile is the plan's HTML page in a plan folder.
const HTMLFile = "plan.html"

//go:embed plan.html.tmpl
var htmlTemplateText string

var htmlTemplate = template.Must(template.New("plan").Funcs(template.FuncMap{
	"pct100":        func(ratio float64) float64 { return 100 * ratio },
	"headroomLimit": func(headroom float64) float64 { return 100 * (1 - headroom) },
}).Parse(htmlTemplateText))

// htmlData is what plan.html.tmpl shows; Data goes to the page's script.
type htmlData struct {
	R              *Result
	CSS            template.CSS
	JS             template.JS
	Headline       string
	MeasuredHeader []string
	MeasuredNote   string
	Rows           []htmlRow
	Data           sweepData
}

type htmlRow struct {
	Cells []string
	// Meets is short enough for one line ("no: write throttle ratio,
	// peak write"); MeetsWhy has the failed objectives in full, shown on hover.
	Meets, MeetsWhy string
	Recommended     bool
}

// sweepData holds uPlot's columns: shard counts, then one y array a line.
// The objectives are lines too (the same value at every count), so the
// chart shows why a count is rejected.
type sweepData struct {
	Shards           []int     `json:"shards"`
	ThrottlePct      []float64 `json:"throttlePct"`
	ThrottleLimitPct []float64 `json:"throttleLimitPct"`
	PeakWritePct     []float64 `json:"peakWritePct"`
	PeakReadPct      []float64 `json:"peakReadPct"`
	HeadroomLimitPct []float64 `json:"headroomLimitPct"`
	Cost             []float64 `json:"cost"`
	OnDemandCost     []float64 `json:"onDemandCost"`
	// Recommended is the index of the recommended count, -1 without one:
	// the legend shows its values until a point is hovered.
	Recommended int  `json:"recommended"`
	Reads       bool `json:"reads"`
}

// WriteHTML writes plan.html: a self-contained page (the chart library
// is inlined, as in report.html) with a chart of the write throttle ratio
// and the monthly cost against shard count, the candidates and the advice.
func (r *Result) WriteHTML(w io.Writer) error {
	css, js := reports.ChartAssets()
	d := htmlData{R: r, CSS: css, JS: js, Headline: r.headline(), MeasuredHeader: measuredHeader, MeasuredNote: r.measuredNote()}
	d.Data.Recommended = -1
	for i, c := range r.Candidates {
		meets, why := "yes", ""
		if !c.Meets {
			meets, why = "no: "+shortFails(c.Fails), strings.Join(c.Fails, "; ")
		}
		if c.Shards == r.Recommended {
			meets = "recommended"
			d.Data.Recommended = i
		}
		cells := []string{fmt.Sprint(c.Shards), pct(c.WriteThrottleRatio), pct(c.CoarseErrorBound), pct(c.PeakWriteUtilisation),
			pct(c.PeakReadUtilisation), keyText(c), fmt.Sprintf("%.2f", c.MonthlyCost.Total)}
		d.Rows = append(d.Rows, htmlRow{Cells: append(cells, measuredCells(c.Measured)...), Meets: meets, MeetsWhy: why,
			Recommended: c.Shards == r.Recommended})
		d.Data.Shards = append(d.Data.Shards, c.Shards)
		d.Data.ThrottlePct = append(d.Data.ThrottlePct, 100*c.WriteThrottleRatio)
		d.Data.ThrottleLimitPct = append(d.Data.ThrottleLimitPct, 100*r.Objectives.MaxWriteThrottleRatio)
		d.Data.PeakWritePct = append(d.Data.PeakWritePct, 100*c.PeakWriteUtilisation)
		d.Data.PeakReadPct = append(d.Data.PeakReadPct, 100*c.PeakReadUtilisation)
		d.Data.HeadroomLimitPct = append(d.Data.HeadroomLimitPct, 100*(1-r.Objectives.Headroom))
		d.Data.Reads = d.Data.Reads || c.PeakReadUtilisation > 0
		d.Data.Cost = append(d.Data.Cost, c.MonthlyCost.Total)
		d.Data.OnDemandCost = append(d.Data.OnDemandCost, r.OnDemand.MonthlyCost.Total)
	}
	if err := htmlTemplate.Execute(w, d); err != nil {
		return fmt.Errorf("plan.html: %w", err)
	}
	return nil
}

// shortFails names the failed objectives of a candidate without their
// figures ("write throttle ratio, peak write"): the words of each failure
// before its first number.
func shortFails(fails []string) string {
	names := make([]string, 0, len(fails))
	for _, f := range fails {
		words := strings.Fields(f)
		n := 0
		for n < len(words) && !strings.ContainsAny(words[n], "0123456789") {
			n++
		}
		name := strings.Join(words[:max(n, 1)], " ")
		if len(words) > 0 && n == 0 {
			name = words[0]
		}
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}
