package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
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

// Threshold metric names: this list is their one owner; reports judges
// each by name.
const (
	// MetricPutLatency is PutRecords calls' latency (ms).
	MetricPutLatency = "put_latency_ms"
	// MetricRecordLatency is records' latency from their intended send time to their acknowledgement (ms).
	MetricRecordLatency = "record_latency_ms"
	// MetricSendDelay is how far producers fell behind their schedule (ms).
	MetricSendDelay = "send_delay_ms"
	// MetricEndToEndLatency is intended send time to a built-in consumer's receipt (ms).
	MetricEndToEndLatency = "end_to_end_latency_ms"
	// MetricThrottledRatio is throttled record attempts over all record attempts.
	MetricThrottledRatio = "throttled_ratio"
	// MetricRecordsDeadLettered is records that failed every attempt.
	MetricRecordsDeadLettered = "records_dead_lettered"
	// MetricRecordsThrottled is record attempts throttled.
	MetricRecordsThrottled = "records_throttled"
	// MetricRecordsFailed is record attempts failed otherwise.
	MetricRecordsFailed = "records_failed"
	// MetricRecordsUnfinished is records unacknowledged when the drain ran out.
	MetricRecordsUnfinished = "records_unfinished"
	// MetricPutCallErrors is calls that failed as a whole.
	MetricPutCallErrors = "put_call_errors"
	// MetricLostRecords is the most records any consumer lost.
	MetricLostRecords = "lost_records"
)

// thresholdMetrics are the metric names a scenario's thresholds may use. The
// parser lives here, not in reports, so Validate can reject a bad expression
// at load time with its file:line (scenarios may not import reports); reports
// judges them.
var thresholdMetrics = map[string]ThresholdKind{
	MetricPutLatency:          Trend,
	MetricRecordLatency:       Trend,
	MetricSendDelay:           Trend,
	MetricEndToEndLatency:     Trend,
	MetricThrottledRatio:      RateKind,
	MetricRecordsDeadLettered: Counter,
	MetricRecordsThrottled:    Counter,
	MetricRecordsFailed:       Counter,
	MetricRecordsUnfinished:   Counter,
	MetricPutCallErrors:       Counter,
	MetricLostRecords:         Counter,
}

// perProducerMetrics are the metrics a threshold may narrow to one producer
// with {producer:NAME}: those each producer measures on its own. Consumer
// metrics (end_to_end_latency_ms, lost_records) are not per producer.
var perProducerMetrics = []string{
	MetricPutLatency, MetricRecordLatency, MetricSendDelay, MetricThrottledRatio,
	MetricRecordsDeadLettered, MetricRecordsThrottled, MetricRecordsFailed, MetricRecordsUnfinished, MetricPutCallErrors,
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

// ThresholdSpec is one threshold entry as written: the expression alone,
// "p(99) < 250", or a mapping that adds k6's abort_on_fail:
// {threshold: "p(99) < 250", abort_on_fail: true, delay_abort_eval: 10s}.
type ThresholdSpec struct {
	// Threshold is the expression, e.g. "p(99) < 250".
	Threshold string `yaml:"threshold" json:"threshold"`
	// AbortOnFail stops the run as soon as the expression fails on the run
	// so far (judged at the end of every second of the run's clock); the
	// run exits 99 and result.json is marked incomplete.
	AbortOnFail bool `yaml:"abort_on_fail,omitempty" json:"abort_on_fail,omitempty"`
	// DelayAbortEval is how far into the run abort_on_fail starts judging,
	// so a few slow first samples cannot stop it (default 0: from the first second).
	DelayAbortEval Duration `yaml:"delay_abort_eval,omitempty" json:"delay_abort_eval,omitempty"`
}

// thresholdSpecFields is ThresholdSpec without its methods, to decode and
// encode the mapping form without recursing.
type thresholdSpecFields ThresholdSpec

// UnmarshalYAML reads the expression alone or the mapping form.
func (t *ThresholdSpec) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*t = ThresholdSpec{Threshold: n.Value}
		return nil
	case yaml.MappingNode:
		var f thresholdSpecFields
		if err := n.Decode(&f); err != nil {
			return err
		}
		*t = ThresholdSpec(f)
		return nil
	}
	return expectScalar(n, `an expression such as "p(99) < 250" or {threshold: "p(99) < 250", abort_on_fail: true}`)
}

// MarshalYAML writes the expression alone unless abort_on_fail is set.
func (t ThresholdSpec) MarshalYAML() (any, error) {
	if !t.AbortOnFail && t.DelayAbortEval == 0 {
		return t.Threshold, nil
	}
	return thresholdSpecFields(t), nil
}

// Threshold is one parsed expression, e.g. "p(99) < 250" on put_latency_ms.
type Threshold struct {
	// Metric is the name it applies to (a ThresholdMetrics name).
	Metric string
	// Producer, when set, narrows the metric to that producer's records
	// (the key put_latency_ms{producer:bikes}).
	Producer string
	// AbortOnFail and DelayAbortEval are the entry's (see ThresholdSpec).
	AbortOnFail bool
	// DelayAbortEval is how far into the run abort_on_fail starts judging.
	DelayAbortEval time.Duration
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

// Key is the metric as the scenario names it: put_latency_ms, or
// put_latency_ms{producer:bikes} for one producer.
func (t Threshold) Key() string {
	if t.Producer == "" {
		return t.Metric
	}
	return t.Metric + "{producer:" + t.Producer + "}"
}

// ParseThresholdKey splits a thresholds key into its metric and the
// producer of a k6-style tag: "put_latency_ms{producer:bikes}" is
// put_latency_ms narrowed to the producer bikes. Only the producer tag
// exists, and only on metrics each producer measures.
func ParseThresholdKey(key string) (metric, producer string, err error) {
	metric, tag, tagged := strings.Cut(key, "{")
	if !tagged {
		return key, "", nil
	}
	metric = strings.TrimSpace(metric)
	tag, closed := strings.CutSuffix(strings.TrimSpace(tag), "}")
	name, value, ok := strings.Cut(tag, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	switch {
	case !closed || !ok || value == "" || strings.ContainsAny(value, "{}"):
		return metric, "", fmt.Errorf("%q: write a tag as METRIC{producer:NAME}, e.g. put_latency_ms{producer:bikes}", key)
	case name != "producer":
		return metric, "", fmt.Errorf("%q: unknown tag %q; thresholds take only {producer:NAME}", key, name)
	case !slices.Contains(perProducerMetrics, metric):
		return metric, "", fmt.Errorf("%q: %s is not measured per producer; {producer:NAME} applies to %s", key, metric, strings.Join(perProducerMetrics, ", "))
	}
	return metric, value, nil
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
// The aggregation must suit the metric's kind (see ThresholdKind). metric
// may carry a producer tag (see ParseThresholdKey).
func ParseThreshold(metric, expr string) (Threshold, error) {
	t := Threshold{Metric: metric, Expression: expr}
	base, producer, err := ParseThresholdKey(metric)
	if err != nil {
		return t, err
	}
	t.Metric, t.Producer = base, producer
	metric = base
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
		for _, spec := range s.Thresholds[m] {
			t, err := ParseThreshold(m, spec.Threshold)
			if err != nil {
				return nil, fmt.Errorf("thresholds.%s: %w", m, err)
			}
			t.AbortOnFail, t.DelayAbortEval = spec.AbortOnFail, spec.DelayAbortEval.D()
			out = append(out, t)
		}
	}
	return out, nil
}

// thresholds checks every expression; errors name the expression's own
// position (thresholds.METRIC[i]) or the metric's key when it is unknown
// or names a producer the scenario does not have.
func (v *validator) thresholds(ths map[string][]ThresholdSpec, producers []Producer) {
	metrics := make([]string, 0, len(ths))
	for m := range ths {
		metrics = append(metrics, m)
	}
	slices.Sort(metrics)
	for _, m := range metrics {
		base, producer, err := ParseThresholdKey(m)
		if err != nil {
			v.addf("thresholds."+m, "%v", err)
			continue
		}
		if _, ok := thresholdMetrics[base]; !ok {
			v.addf("thresholds."+m, "unknown metric %q; use one of %s", base, strings.Join(ThresholdMetrics(), ", "))
			continue
		}
		if producer != "" && !slices.ContainsFunc(producers, func(p Producer) bool { return p.Name == producer }) {
			v.addf("thresholds."+m, "%q is not a producer of this scenario; use one of %s", producer, strings.Join(producerNames(producers), ", "))
			continue
		}
		for i, spec := range ths[m] {
			path := fmt.Sprintf("thresholds.%s[%d]", m, i)
			if _, err := ParseThreshold(m, spec.Threshold); err != nil {
				v.addf(path, "%v", err)
			}
			switch {
			case spec.AbortOnFail && base == MetricLostRecords:
				v.addf(path+".abort_on_fail", "lost_records is known only once the consumers are verified at the end of the run; it cannot abort one")
			case spec.DelayAbortEval < 0:
				v.addf(path+".delay_abort_eval", "%v is negative; use 0 or more, e.g. 10s", spec.DelayAbortEval)
			case spec.DelayAbortEval > 0 && !spec.AbortOnFail:
				v.addf(path+".delay_abort_eval", "only applies with abort_on_fail: true; add it or remove delay_abort_eval")
			}
		}
	}
}

func producerNames(ps []Producer) []string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return names
}
