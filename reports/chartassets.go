package reports

import "html/template"

// ChartAssets returns the chart library report.html inlines, uPlot's
// stylesheet and script, so another self-contained page (kinesim plan's
// plan.html) can draw charts offline without a copy of the assets.
func ChartAssets() (template.CSS, template.JS) {
	return template.CSS(uplotCSS), template.JS(uplotJS)
}
