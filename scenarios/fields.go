package scenarios

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlField is one field a YAML mapping may hold for a Go struct.
type yamlField struct {
	name string
	typ  reflect.Type
}

// hiddenFields are struct fields that exist in Go but not as mapping keys:
// KeySpec.Random is written as the scalar `random`.
var hiddenFields = map[reflect.Type]map[string]bool{
	reflect.TypeFor[KeySpec](): {"random": true},
}

// yamlFields lists the mapping keys of struct type t, in declaration order.
func yamlFields(t reflect.Type) []yamlField {
	var fields []yamlField
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if hiddenFields[t][name] {
			continue
		}
		fields = append(fields, yamlField{name: name, typ: f.Type})
	}
	return fields
}

// checkFields reports every mapping key under n that the Go type t has no
// field for, with the allowed keys and the closest one. Values of the wrong
// kind are left to the decoder, which reports them.
func checkFields(n *yaml.Node, t reflect.Type, path, file string) Errors {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var es Errors
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, value := n.Content[i], n.Content[i+1]
			if isMergeKey(key) {
				for _, m := range mergedMappings(value) {
					es = append(es, checkFields(m, t, path, file)...)
				}
				continue
			}
			child := joinPath(path, key.Value)
			f, ok := findField(fields, key.Value)
			if !ok {
				es = append(es, &Error{File: file, Line: key.Line, Column: key.Column, Field: child,
					Message: unknownFieldMessage(key.Value, fields)})
				continue
			}
			es = append(es, checkFields(value, f.typ, child, file)...)
		}
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			es = append(es, checkFields(n.Content[i+1], t.Elem(), joinPath(path, n.Content[i].Value), file)...)
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			es = append(es, checkFields(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), file)...)
		}
	}
	return es
}

func findField(fields []yamlField, name string) (yamlField, bool) {
	for _, f := range fields {
		if f.name == name {
			return f, true
		}
	}
	return yamlField{}, false
}

// unknownFieldMessage reads like `unknown field "lingr"; did you mean
// "linger"? (allowed: max_records, max_bytes, linger)`.
func unknownFieldMessage(name string, fields []yamlField) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	msg := fmt.Sprintf("unknown field %q", name)
	if best := closest(name, names); best != "" {
		msg += fmt.Sprintf("; did you mean %q?", best)
	}
	return msg + " (allowed: " + strings.Join(names, ", ") + ")"
}

// Closest returns the candidate nearest to s by edit distance, or "" when
// none is near enough to be a likely typo: the did-you-mean of every
// "unknown name" message (fields, generators, the command line's kinds).
func Closest(s string, candidates []string) string { return closest(s, candidates) }

// closest is Closest.
func closest(s string, candidates []string) string {
	best, bestDist := "", len(s)/2+1
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
