package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ThresholdKind says which aggregations a threshold metric allows, as in k6:
// a trend (latencies) has p(N), avg, min, max and med; a rate (a ratio
// 0..1) has rate; a counter has count.
type ThresholdKind int

// Threshold metric kinds.
const (
	Trend ThresholdKind = iota
	RateKind
	Counter
)

// thresholdMetrics are the metric names a scenario's thresholds may use. The
// parser lives here, not in reports, so Validate can reject a bad expression
// at load time with its file:line (scenarios may not import reports); reports
// judges them.
var thresholdMetrics = map[string]ThresholdKind{
	"put_latency_ms":        Trend,
	"record_latency_ms":     Trend,
	"send_delay_ms":         Trend,
	"end_to_end_latency_ms": Trend,
	"throttled_ratio":       RateKind,
	"records_dead_lettered": Counter,
	"records_throttled":     Counter,
	"records_failed":        Counter,
	"records_unfinished":    Counter,
	"put_call_errors":       Counter,
	"lost_records":          Counter,
}

// ThresholdMetrics lists the metric names thresholds may use, sorted.
func ThresholdMetrics() []string {
	names := make([]string, 0, len(thresholdMetrics))
	for n := range thresholdMetrics {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Threshold is one parsed expression, e.g. "p(99) < 250" on put_latency_ms.
type Threshold struct {
	// Metric is the name it applies to (a ThresholdMetrics name).
	Metric string
	// Expression is the text as written.
	Expression string
	// Aggregation is "p", "avg", "min", "max", "med", "rate" or "count".
	Aggregation string
	// Percentile is N in p(N), 0..100 (only for "p").
	Percentile float64
	// Operator is one of < <= > >= == !=.
	Operator string
	// Value is the right-hand side.
	Value float64
}

// Aggregate is the left-hand side in canonical form: "p(99.9)", "avg", ...
func (t Threshold) Aggregate() string {
	if t.Aggregation == "p" {
		return "p(" + strconv.FormatFloat(t.Percentile, 'f', -1, 64) + ")"
	}
	return t.Aggregation
}

// Holds reports whether actual satisfies the threshold.
func (t Threshold) Holds(actual float64) bool {
	switch t.Operator {
	case "<":
		return actual < t.Value
	case "<=":
		return actual <= t.Value
	case ">":
		return actual > t.Value
	case ">=":
		return actual >= t.Value
	case "==":
		return actual == t.Value
	case "!=":
		return actual != t.Value
	}
	return false
}

// operators in the order the parser tries them: two-character ones first.
var operators = []string{"<=", ">=", "==", "!=", "<", ">"}

// ParseThreshold parses one k6-like expression for metric: an aggregation
// (p(N), avg, min, max, med, rate, count), an operator (< <= > >= == !=) and
// a number, spaces optional: "p(99.9) <= 1000", "rate<0.01", "count == 0".
// The aggregation must suit the metric's kind (see ThresholdKind).
func ParseThreshold(metric, expr string) (Threshold, error) {
	t := Threshold{Metric: metric, Expression: expr}
	kind, ok := thresholdMetrics[metric]
	if !ok {
		return t, fmt.Errorf("unknown metric %q; use one of %s", metric, strings.Join(ThresholdMetrics(), ", "))
	}
	opAt, op := -1, ""
	for _, o := range operators {
		if i := strings.Index(expr, o); i >= 0 && (opAt < 0 || i < opAt) {
			opAt, op = i, o
		}
	}
	if opAt < 0 && strings.Contains(expr, "=") {
		return t, fmt.Errorf("%q: compare with == (or <=, >=, !=), not =", expr)
	}
	if opAt < 0 {
		return t, fmt.Errorf("%q has no comparison; write e.g. %q (operators: < <= > >= == !=)", expr, example(kind))
	}
	left := strings.TrimSpace(expr[:opAt])
	right := strings.TrimSpace(expr[opAt+len(op):])
	t.Operator = op
	if strings.ContainsAny(right, "<>=!") {
		return t, fmt.Errorf("%q has more than one comparison; write one per expression, e.g. %q", expr, example(kind))
	}
	v, err := strconv.ParseFloat(right, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return t, fmt.Errorf("%q: %q is not a number; write e.g. %q", expr, right, example(kind))
	}
	t.Value = v
	if err := t.parseAggregation(left, kind); err != nil {
		return t, fmt.Errorf("%q: %w", expr, err)
	}
	return t, nil
}

func (t *Threshold) parseAggregation(left string, kind ThresholdKind) error {
	allowed := map[ThresholdKind][]string{
		Trend:    {"p(N)", "avg", "min", "max", "med"},
		RateKind: {"rate"},
		Counter:  {"count"},
	}[kind]
	if inner, ok := strings.CutPrefix(left, "p("); ok && kind == Trend {
		inner, closed := strings.CutSuffix(inner, ")")
		if !closed {
			return fmt.Errorf("%q: missing ')'; write e.g. p(99)", left)
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(inner), 64)
		if err != nil || q < 0 || q > 100 || math.IsNaN(q) {
			return fmt.Errorf("%q: the percentile must be a number 0..100, e.g. p(99.9)", left)
		}
		t.Aggregation, t.Percentile = "p", q
		return nil
	}
	if left == "" {
		return fmt.Errorf("nothing before %q; start with %s", t.Operator, strings.Join(allowed, ", "))
	}
	for _, a := range allowed {
		if left == a && a != "p(N)" {
			t.Aggregation = a
			return nil
		}
	}
	return fmt.Errorf("%q is not an aggregation of %s; use %s", left, t.Metric, strings.Join(allowed, ", "))
}

func example(kind ThresholdKind) string {
	switch kind {
	case RateKind:
		return "rate < 0.01"
	case Counter:
		return "count == 0"
	}
	return "p(99) < 250"
}

// ParseThresholds parses every threshold of a scenario, metrics in name
// order, expressions in file order. Validate has already checked them, so
// on a loaded scenario it fails only when called on one built in Go.
func ParseThresholds(s *Scenario) ([]Threshold, error) {
	metrics := make([]string, 0, len(s.Thresholds))
	for m := range s.Thresholds {
		metrics = append(metrics, m)
	}
	slices.Sort(metrics)
	var out []Threshold
	for _, m := range metrics {
		for _, expr := range s.Thresholds[m] {
			t, err := ParseThreshold(m, expr)
			if err != nil {
				return nil, fmt.Errorf("thresholds.%s: %w", m, err)
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// thresholds checks every expression; errors name the expression's own
// position (thresholds.METRIC[i]) or the metric's key when it is unknown.
func (v *validator) thresholds(ths map[string][]string) {
	metrics := make([]string, 0, len(ths))
	for m := range ths {
		metrics = append(metrics, m)
	}
	slices.Sort(metrics)
	for _, m := range metrics {
		if _, ok := thresholdMetrics[m]; !ok {
			v.addf("thresholds."+m, "unknown metric %q; use one of %s", m, strings.Join(ThresholdMetrics(), ", "))
			continue
		}
		for i, expr := range ths[m] {
			if _, err := ParseThreshold(m, expr); err != nil {
				v.addf(fmt.Sprintf("thresholds.%s[%d]", m, i), "%v", err)
			}
		}
	}
}
