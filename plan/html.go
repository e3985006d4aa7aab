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

var htmlTemplate = template.Must(template.New("plan").Parse(htmlTemplateText))

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
	Cells       []string
	Meets       string
	Recommended bool
}

// sweepData holds uPlot's columns: shard counts, then one y array a line.
type sweepData struct {
	Shards       []int     `json:"shards"`
	ThrottlePct  []float64 `json:"throttlePct"`
	Cost         []float64 `json:"cost"`
	OnDemandCost []float64 `json:"onDemandCost"`
}

// WriteHTML writes plan.html: a self-contained page (the chart library
// is inlined, as in report.html) with a chart of the write throttle ratio
// and the monthly cost against shard count, the candidates and the advice.
func (r *Result) WriteHTML(w io.Writer) error {
	css, js := reports.ChartAssets()
	d := htmlData{R: r, CSS: css, JS: js, Headline: r.headline(), MeasuredHeader: measuredHeader, MeasuredNote: r.measuredNote()}
	for _, c := range r.Candidates {
		meets := "yes"
		if !c.Meets {
			meets = "no: " + strings.Join(c.Fails, "; ")
		}
		if c.Shards == r.Recommended {
			meets = "recommended"
		}
		cells := []string{fmt.Sprint(c.Shards), pct(c.WriteThrottleRatio), pct(c.CoarseErrorBound), pct(c.PeakWriteUtilisation),
			pct(c.PeakReadUtilisation), keyText(c), fmt.Sprintf("%.2f", c.MonthlyCost.Total)}
		d.Rows = append(d.Rows, htmlRow{Cells: append(cells, measuredCells(c.Measured)...), Meets: meets, Recommended: c.Shards == r.Recommended})
		d.Data.Shards = append(d.Data.Shards, c.Shards)
		d.Data.ThrottlePct = append(d.Data.ThrottlePct, 100*c.WriteThrottleRatio)
		d.Data.Cost = append(d.Data.Cost, c.MonthlyCost.Total)
		d.Data.OnDemandCost = append(d.Data.OnDemandCost, r.OnDemand.MonthlyCost.Total)
	}
	if err := htmlTemplate.Execute(w, d); err != nil {
		return fmt.Errorf("plan.html: %w", err)
	}
	return nil
}
