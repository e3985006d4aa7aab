package generators

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kinesim/kinesim/scenarios"
)

// OptionType is the type of value a generator option takes.
type OptionType string

// Option types. Options come from YAML or the command line, so numbers may
// arrive as int, float64 or a string such as "300"; durations as strings
// such as "10s".
const (
	OptionString   OptionType = "string"
	OptionInt      OptionType = "integer"
	OptionFloat    OptionType = "number"
	OptionDuration OptionType = "duration"
	// OptionSize is a record size or size distribution (see RecordSizeOption).
	OptionSize OptionType = "size"
)

// OptionSpec documents one option of a generator kind.
type OptionSpec struct {
	Name string
	Type OptionType
	// Default is the value used when the option is absent (nil: none).
	Default any
	// Doc says what the option does, in one line.
	Doc string
	// Allowed lists the accepted values of a string option (case-insensitive);
	// empty means any string.
	Allowed []string
	// Min and Max bound numeric options (both zero: unbounded).
	Min, Max float64
}

// OptionError reports an option a generator does not know or cannot use.
type OptionError struct {
	// Kind is the generator kind, e.g. "bike".
	Kind string
	// Option is the option's name.
	Option string
	// Value is the value given (nil for an unknown option).
	Value any
	// Allowed says what is accepted: the option names, or the values.
	Allowed string
	// Closest is the known option nearest to an unknown one ("" when none
	// is near): the likely typo's fix.
	Closest string
}

func (e *OptionError) Error() string {
	if e.Value == nil {
		hint := ""
		if e.Closest != "" {
			hint = fmt.Sprintf("did you mean %q? ", e.Closest)
		}
		return fmt.Sprintf("%s has no option %q; %sallowed: %s", e.Kind, e.Option, hint, e.Allowed)
	}
	return fmt.Sprintf("%s option %q: got %s, want %s", e.Kind, e.Option, describeValue(e.Value), e.Allowed)
}

// ScenarioField names the option's field below a producer
// ("options.city"), so that a scenario error points at its line.
func (e *OptionError) ScenarioField() string { return "options." + e.Option }

func describeValue(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	default:
		return fmt.Sprintf("%v (%T)", v, v)
	}
}

// options holds decoded option values, every option of the kind present
// (defaults filled in), each of its spec's Go type: string, int, float64,
// time.Duration or sizeDist.
type options map[string]any

func (o options) str(name string) string             { return o[name].(string) }
func (o options) int(name string) int                { return o[name].(int) }
func (o options) float(name string) float64          { return o[name].(float64) }
func (o options) duration(name string) time.Duration { return o[name].(time.Duration) }

// decodeOptions checks raw against specs and returns every option's value.
func decodeOptions(kind string, specs []OptionSpec, raw map[string]any) (options, error) {
	known := make(map[string]OptionSpec, len(specs))
	for _, s := range specs {
		known[s.Name] = s
	}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names) // report the first bad option deterministically
	for _, name := range names {
		if _, ok := known[name]; !ok {
			known := optionNames(specs)
			return nil, &OptionError{Kind: kind, Option: name, Allowed: strings.Join(known, ", "), Closest: scenarios.Closest(name, known)}
		}
	}
	out := make(options, len(specs))
	for _, s := range specs {
		v, given := raw[s.Name]
		if !given || v == nil {
			v = s.Default
		}
		if v == nil {
			continue
		}
		decoded, err := s.decode(v)
		if err != nil {
			return nil, &OptionError{Kind: kind, Option: s.Name, Value: v, Allowed: err.Error()}
		}
		out[s.Name] = decoded
	}
	return out, nil
}

func optionNames(specs []OptionSpec) []string {
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	sort.Strings(names)
	return names
}

// want describes the accepted values, for errors.
func (s OptionSpec) want() string {
	switch {
	case len(s.Allowed) > 0:
		return "one of " + strings.Join(s.Allowed, ", ")
	case s.Type == OptionDuration:
		return `a duration such as "10s" or "500ms"` + s.bounds()
	case s.Type == OptionSize:
		return recordSizeForms
	default:
		article := "a "
		if s.Type == OptionInt {
			article = "an "
		}
		return article + string(s.Type) + s.bounds()
	}
}

func (s OptionSpec) bounds() string {
	if s.Min == 0 && s.Max == 0 {
		return ""
	}
	if s.Type == OptionDuration {
		return fmt.Sprintf(" in [%v, %v]", time.Duration(s.Min), time.Duration(s.Max))
	}
	return fmt.Sprintf(" in [%v, %v]", s.Min, s.Max)
}

func (s OptionSpec) inBounds(v float64) bool {
	return s.Min == 0 && s.Max == 0 || s.Min <= v && v <= s.Max
}

// decode converts v to the spec's Go type; its error says what is allowed.
func (s OptionSpec) decode(v any) (any, error) {
	if s.Type == OptionSize {
		return parseSizeDist(v)
	}
	if decoded, ok := s.decodeScalar(v); ok {
		return decoded, nil
	}
	return nil, errors.New(s.want())
}

func (s OptionSpec) decodeScalar(v any) (any, bool) {
	switch s.Type {
	case OptionString:
		str, ok := v.(string)
		if !ok {
			return nil, false
		}
		if len(s.Allowed) == 0 {
			return str, true
		}
		for _, a := range s.Allowed {
			if strings.EqualFold(a, strings.TrimSpace(str)) {
				return a, true
			}
		}
		return nil, false
	case OptionInt:
		f, ok := toFloat(v)
		if !ok || f != math.Trunc(f) || !s.inBounds(f) || math.Abs(f) > 1<<53 {
			return nil, false
		}
		return int(f), true
	case OptionFloat:
		f, ok := toFloat(v)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) || !s.inBounds(f) {
			return nil, false
		}
		return f, true
	case OptionDuration:
		var d time.Duration
		switch v := v.(type) {
		case time.Duration:
			d = v
		case string:
			var err error
			if d, err = time.ParseDuration(strings.TrimSpace(v)); err != nil {
				return nil, false
			}
		default:
			return nil, false
		}
		if !s.inBounds(float64(d)) || s.Min == 0 && s.Max == 0 && d <= 0 {
			return nil, false
		}
		return d, true
	}
	return nil, false
}

// toFloat accepts every number type YAML and JSON decoders produce, and
// numeric strings (from the command line).
func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case int:
		return float64(v), true
	case int8:
		return float64(v), true
	case int16:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint:
		return float64(v), true
	case uint8:
		return float64(v), true
	case uint16:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint64:
		return float64(v), true
	case float32:
		return float64(v), true
	case float64:
		return v, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil
	}
	return 0, false
}
