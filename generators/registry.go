package generators

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnknownKind is returned (wrapped) by New and OptionSpecs for a kind
// that is not registered; the message lists the kinds that are.
var ErrUnknownKind = errors.New("unknown generator kind")

// kind is one registered generator kind.
type kind struct {
	name    string
	doc     string
	options []OptionSpec
	build   func(o options, seed int64) (Generator, error)
}

// registered lists every kind, in the order Kinds reports them.
var registered = []kind{bikeKind, logsKind, clickstreamKind, videoKind}

func lookupKind(name string) (kind, error) {
	for _, k := range registered {
		if k.name == name {
			return k, nil
		}
	}
	return kind{}, fmt.Errorf("generators: %w %q; allowed: %s", ErrUnknownKind, name, strings.Join(Kinds(), ", "))
}

// New makes a generator of the named kind from its options (as decoded from
// a scenario's YAML: numbers may be int or float64) and a seed. The same
// kind, options and seed always make the same records. An unknown kind
// wraps ErrUnknownKind; an unknown or ill-typed option is an *OptionError
// naming the option and what is allowed.
func New(kindName string, opts map[string]any, seed int64) (Generator, error) {
	k, err := lookupKind(kindName)
	if err != nil {
		return nil, err
	}
	o, err := decodeOptions(k.name, k.allOptions(), opts)
	if err != nil {
		return nil, err
	}
	g, err := k.build(o, seed)
	if err != nil {
		return nil, err
	}
	if dist, ok := o[RecordSizeOption].(sizeDist); ok {
		g = &sizedGenerator{
			Generator: g,
			dist:      dist,
			rng:       newRand(seed, "record_size"),
			resizer:   g.(resizable).resizer(),
			pad:       newPadSource(seed),
		}
	}
	return g, nil
}

// allOptions are the kind's own options and those every kind takes.
func (k kind) allOptions() []OptionSpec {
	return append(append([]OptionSpec(nil), k.options...), recordSizeSpec)
}

// Kinds returns the registered generator kinds, e.g. "bike".
func Kinds() []string {
	names := make([]string, len(registered))
	for i, k := range registered {
		names[i] = k.name
	}
	return names
}

// OptionSpecs documents the options of a kind (for help text and docs).
func OptionSpecs(kindName string) ([]OptionSpec, error) {
	k, err := lookupKind(kindName)
	if err != nil {
		return nil, err
	}
	return k.allOptions(), nil
}

// Describe returns the one-line description of a kind.
func Describe(kindName string) (string, error) {
	k, err := lookupKind(kindName)
	return k.doc, err
}

// recordKeys holds the key field values of the last record a generator
// made; generators embed it for KeyFields and KeyField.
type recordKeys struct {
	names  []string
	values []string
}

func newRecordKeys(names ...string) recordKeys {
	return recordKeys{names: names, values: make([]string, len(names))}
}

// KeyFields names the key fields, in the order KeyField takes them.
func (k *recordKeys) KeyFields() []string { return k.names }

// KeyField returns the value of the i-th key field for the last record.
func (k *recordKeys) KeyField(i int) string {
	if i < 0 || i >= len(k.values) {
		return ""
	}
	return k.values[i]
}
