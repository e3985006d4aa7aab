package scenarios

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Error is one problem in a scenario file, with where it is and what to do
// about it. Line and Column are 1-based; 0 means unknown.
type Error struct {
	// File is the scenario's path ("builtin:NAME" for the catalogue).
	File string
	// Line and Column locate the offending value, or its parent when the
	// field is missing.
	Line, Column int
	// Field is the path of the field, e.g. "producers[0].batch.max_records".
	Field string
	// Message says what is wrong and what is allowed.
	Message string
}

// Error reads like "scenarios/x.yaml:12:5: producers[0].batch.max_records: 900
// is over the PutRecords limit; use 1..500".
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(":")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:", e.Line)
	}
	if e.Line > 0 && e.Column > 0 {
		fmt.Fprintf(&b, "%d:", e.Column)
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// FieldError is an error about one field below the part of a scenario a
// check was given, e.g. Field "partition_key" of a producer (see
// WithProducerCheck).
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the error about the field.
func (e *FieldError) Unwrap() error { return e.Err }

// ScenarioField is the field's path below the part checked.
func (e *FieldError) ScenarioField() string { return e.Field }

// Errors is every problem found in one scenario, in file order.
type Errors []*Error

// Error joins the problems, one a line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find each *Error.
func (es Errors) Unwrap() []error {
	errs := make([]error, len(es))
	for i, e := range es {
		errs[i] = e
	}
	return errs
}

// err returns es as an error, nil when empty (so a nil Errors never becomes a
// non-nil error interface).
func (es Errors) err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// nodeError is how this package's YAML unmarshalers report a bad value: a
// *yaml.TypeError lets the decoder go on and collect every problem, and the
// "line L: column C:" prefix carries the exact position to fromYAMLError.
func nodeError(n *yaml.Node, msg string) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: column %d: %s", n.Line, n.Column, msg)}}
}

var (
	// yamlErrLine matches the position yaml.v3 and nodeError put in front of a message.
	yamlErrLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (?:column (\d+): )?(.*)$`)
	// yamlNotFound matches yaml.v3's unknown-field message.
	yamlNotFound = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	// yamlCannot matches yaml.v3's type mismatch message.
	yamlCannot = regexp.MustCompile("^cannot unmarshal (!!\\w+)(?: `([^`]*)`)? into (\\S+)$")
)

// fromYAMLError turns an error from yaml.v3 (syntax or type errors) into
// Errors with positions and field paths taken from the index.
func fromYAMLError(err error, file string, idx *nodeIndex) Errors {
	var msgs []string
	if te, ok := err.(*yaml.TypeError); ok {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	var es Errors
	for _, msg := range msgs {
		e := &Error{File: file, Message: strings.TrimPrefix(msg, "yaml: ")}
		m := yamlErrLine.FindStringSubmatch(msg)
		if m == nil {
			es = append(es, e)
			continue
		}
		e.Line, _ = strconv.Atoi(m[1])
		e.Column, _ = strconv.Atoi(m[2])
		e.Message = m[3]
		if idx != nil {
			idx.locate(e)
		}
		es = append(es, e)
	}
	return es
}

// locate fills in the column and field of an error yaml.v3 placed on a line,
// and rewrites yaml.v3's Go-flavoured messages in the scenario's terms.
func (idx *nodeIndex) locate(e *Error) {
	if m := yamlNotFound.FindStringSubmatch(e.Message); m != nil {
		if n := idx.keyOnLine(e.Line, m[1]); n != nil {
			e.Column, e.Field = n.node.Column, n.path
		}
		e.Message = "unknown field " + strconv.Quote(m[1])
		return
	}
	var n *indexedNode
	if e.Column > 0 {
		n = idx.at(e.Line, e.Column)
	} else if m := yamlCannot.FindStringSubmatch(e.Message); m != nil {
		n = idx.valueOnLine(e.Line, m[2])
		e.Message = fmt.Sprintf("found %s; want %s", describeNode(n, m[1]), goTypeName(m[3]))
	} else {
		n = idx.valueOnLine(e.Line, "")
	}
	if n != nil {
		e.Column, e.Field = n.node.Column, n.path
	}
}

// describeNode says what a user wrote, e.g. `"abc" (a string)`.
func describeNode(n *indexedNode, tag string) string {
	kinds := map[string]string{"!!str": "a string", "!!int": "an integer", "!!float": "a number",
		"!!bool": "a boolean", "!!map": "a mapping", "!!seq": "a list", "!!null": "nothing"}
	kind, ok := kinds[tag]
	if !ok {
		kind = tag
	}
	if n == nil || n.node.Kind != yaml.ScalarNode {
		return kind
	}
	return fmt.Sprintf("%q (%s)", shorten(n.node.Value, 60), kind)
}

// shorten cuts s to at most max runes, marking the cut: a file that is not
// a scenario (say, /etc/passwd) is one long string, not worth printing whole.
func shorten(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max]) + "…"
}

// goTypeName says which kind of value a Go type wants.
func goTypeName(t string) string {
	switch {
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "string":
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["), strings.HasPrefix(t, "scenarios."), strings.HasPrefix(t, "*scenarios."):
		return "a mapping"
	}
	return t
}
