package scenarios

import (
	"fmt"
	"slices"
	"strings"
)

// CompareOptions tunes `kinesim compare` for the runs of a scenario: it
// reads them from scenario.yaml in the current run's folder.
type CompareOptions struct {
	// Tolerances override compare's default tolerance per metric, written as
	// --tolerance writes them: {"record_latency_ms.p99": "+10%/2", throughput: "-5%"}.
	// The metric names belong to reports (kinesim compare --help lists
	// them); the command checks them when it loads the scenario.
	Tolerances map[string]string `yaml:"tolerances,omitempty" json:"tolerances,omitempty"`
}

// ToleranceSpec returns the tolerances in --tolerance form,
// "METRIC=SPEC,...", metrics in name order; "" when there are none.
func (c *CompareOptions) ToleranceSpec() string {
	if c == nil {
		return ""
	}
	items := make([]string, 0, len(c.Tolerances))
	for m, spec := range c.Tolerances {
		items = append(items, m+"="+spec)
	}
	slices.Sort(items)
	return strings.Join(items, ",")
}

// compare checks what needs no knowledge of the compared metrics: a
// tolerance is not empty and holds no comma (the --tolerance separator).
func (v *validator) compare(c *CompareOptions) {
	if c == nil {
		return
	}
	for m, spec := range c.Tolerances {
		path := fmt.Sprintf("compare.tolerances.%s", m)
		switch {
		case strings.TrimSpace(spec) == "":
			v.addf(path, "empty; write +10%% (relative), +2 (absolute, in the metric's unit) or +10%%/2 (both)")
		case strings.ContainsAny(spec, ",="):
			v.addf(path, "%q: one tolerance per metric, e.g. \"+10%%/2\"", spec)
		}
	}
}
