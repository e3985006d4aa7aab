package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Option tunes Parse, Load, Resolve, Builtin and Validate.
type Option func(*options)

type options struct {
	generators     []string
	maxDuration    Duration
	maxDurationWhy string
	producerCheck  func(sc *Scenario, i int) error
}

// WithProducerCheck makes Parse (and Load, Resolve, Builtin) call check
// for each producer of a scenario that is otherwise valid, so that what
// only other packages can judge (a generator's options, a partition key's
// field) fails at its line: an error that is, or wraps, a *FieldError (or
// any error with a ScenarioField() method naming the field below the
// producer, such as "options.city") is placed at that field.
func WithProducerCheck(check func(sc *Scenario, i int) error) Option {
	return func(o *options) { o.producerCheck = check }
}

// WithMaxDuration makes validation reject a duration over limit, saying
// why (a command that holds state per simulated second passes its limit).
// Default: no limit.
func WithMaxDuration(limit time.Duration, why string) Option {
	return func(o *options) { o.maxDuration, o.maxDurationWhy = Duration(limit), why }
}

// WithGenerators makes validation check that every producer's generator is
// one of names (the runner passes the generators it knows). Default: any
// non-empty generator name is accepted.
func WithGenerators(names ...string) Option {
	return func(o *options) { o.generators = names }
}

func newOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// Parse decodes a scenario from YAML strictly, applies the defaults and
// validates it. file names the source in errors. On failure it returns a nil
// scenario and Errors listing every problem found, each with its position.
func Parse(data []byte, file string, opts ...Option) (*Scenario, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, tabHint(fromYAMLError(err, file, nil), data)
	}
	if len(root.Content) == 0 {
		return nil, Errors{{File: file, Line: 1, Column: 1,
			Message: "the scenario is empty; it needs at least name, duration and producers"}}
	}
	idx := indexNodes(&root)
	problems := checkFields(root.Content[0], reflect.TypeFor[Scenario](), "", file)

	var s Scenario
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	decodeErr := dec.Decode(&s)
	if decodeErr != nil {
		problems = addNew(problems, fromYAMLError(decodeErr, file, idx))
	}
	s.File = file
	// A value of the wrong type leaves the rest decoded, worth validating;
	// a key given twice leaves its mapping undecoded, and "duration:
	// required" beside "duration: 1s" would only mislead.
	if decodeErr != nil && strings.Contains(decodeErr.Error(), "already defined at line") {
		sortByPosition(problems)
		return nil, problems
	}

	applyDefaults(&s, idx.has)
	o := newOptions(opts)
	invalid := validate(&s, o)
	for _, e := range invalid {
		e.File = file
		idx.position(e)
	}
	problems = addUnrelated(problems, invalid)
	if len(problems) == 0 && o.producerCheck != nil {
		problems = checkProducers(&s, o.producerCheck, idx)
	}
	if len(problems) > 0 {
		sortByPosition(problems)
		return nil, problems
	}
	return &s, nil
}

// checkProducers runs check on each producer and places what it finds.
func checkProducers(s *Scenario, check func(*Scenario, int) error, idx *nodeIndex) Errors {
	var es Errors
	for i := range s.Producers {
		err := check(s, i)
		if err == nil {
			continue
		}
		e := &Error{File: s.File, Field: fmt.Sprintf("producers[%d]", i), Message: err.Error()}
		var fault interface {
			error
			ScenarioField() string
		}
		if errors.As(err, &fault) {
			e.Field += "." + fault.ScenarioField()
			e.Message = fault.Error()
			if fe, ok := fault.(*FieldError); ok {
				e.Message = fe.Err.Error()
			}
		}
		idx.position(e)
		es = append(es, e)
	}
	return es
}

// tabHint adds to an error on a line holding a tab that YAML indents
// with spaces: yaml.v3's "found character that cannot start any token"
// does not say which character.
func tabHint(es Errors, data []byte) Errors {
	lines := bytes.Split(data, []byte("\n"))
	for _, e := range es {
		if e.Line > 0 && e.Line <= len(lines) && bytes.ContainsRune(lines[e.Line-1], '\t') {
			e.Message += fmt.Sprintf("; line %d holds a tab, and YAML indents with spaces only", e.Line)
		}
	}
	return es
}

// addNew appends the errors of more not already in es at the same place
// (yaml.v3 and checkFields both see unknown fields).
func addNew(es, more Errors) Errors {
	for _, m := range more {
		if !slices.ContainsFunc(es, func(e *Error) bool {
			return e.Line == m.Line && e.Column == m.Column && e.Field == m.Field
		}) {
			es = append(es, m)
		}
	}
	return es
}

// addUnrelated appends the validation errors of more whose field is not
// inside (or around) a field es already reports: a value that failed to
// decode is zero, and saying so again would only add noise.
func addUnrelated(es, more Errors) Errors {
	related := func(a, b string) bool {
		return a == b || a == "" || b == "" || isInside(a, b) || isInside(b, a)
	}
	var keep Errors
	for _, m := range more {
		if !slices.ContainsFunc(es, func(e *Error) bool { return related(e.Field, m.Field) }) {
			keep = append(keep, m)
		}
	}
	return append(es, keep...)
}

// isInside reports whether field path a is inside b: "a.b[0].c" is inside "a.b".
func isInside(a, b string) bool {
	rest, ok := strings.CutPrefix(a, b)
	return ok && (strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "["))
}

func sortByPosition(es Errors) {
	slices.SortStableFunc(es, func(a, b *Error) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
}

// Load reads and parses the scenario file at path (see Parse).
func Load(path string, opts ...Option) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, missingFileError(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	return Parse(data, path, opts...)
}

// Resolve loads nameOrPath as a file when it exists, ends in .yaml or .yml,
// or holds a path separator; otherwise it is the name of a built-in scenario.
func Resolve(nameOrPath string, opts ...Option) (*Scenario, error) {
	info, err := os.Stat(nameOrPath)
	isFile := err == nil && !info.IsDir()
	looksLikePath := strings.HasSuffix(nameOrPath, ".yaml") || strings.HasSuffix(nameOrPath, ".yml") ||
		strings.ContainsRune(nameOrPath, '/') || strings.ContainsRune(nameOrPath, os.PathSeparator)
	if isFile || looksLikePath {
		return Load(nameOrPath, opts...)
	}
	return Builtin(nameOrPath, opts...)
}

// missingFileError says in one line that a scenario file does not exist;
// errors.Is(err, fs.ErrNotExist) holds.
type missingFileError string

func (e missingFileError) Error() string { return "scenario file " + string(e) + " does not exist" }

func (e missingFileError) Unwrap() error { return fs.ErrNotExist }
