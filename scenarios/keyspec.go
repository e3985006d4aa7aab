package scenarios

import (
	"encoding/json"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// keySpecRandom is the scalar form of KeySpec{Random: true}.
const keySpecRandom = "random"

// keySpecFields is KeySpec without its methods, to decode and encode the
// mapping form without recursing.
type keySpecFields KeySpec

// UnmarshalYAML reads the scalar `random` or a mapping with one of field,
// uniform, zipf or hot. Validate checks that exactly one is set.
func (k *KeySpec) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value != keySpecRandom {
			return nodeError(n, fmt.Sprintf("%q is not a partition key spec; write random or a mapping: {field: NAME}, {uniform: {keys: N}}, {zipf: {keys: N, s: S}} or {hot: {share: P}}", n.Value))
		}
		*k = KeySpec{Random: true}
		return nil
	case yaml.MappingNode:
		var f keySpecFields
		if err := n.Decode(&f); err != nil {
			return err
		}
		f.Random = false // only the scalar form sets it
		*k = KeySpec(f)
		return nil
	}
	return expectScalar(n, "random or a mapping such as {field: bike_id}")
}

// MarshalYAML writes `random` or the mapping form.
func (k KeySpec) MarshalYAML() (any, error) {
	if k.Random {
		return keySpecRandom, nil
	}
	return keySpecFields(k), nil
}

// MarshalJSON writes "random" or the mapping form as an object.
func (k KeySpec) MarshalJSON() ([]byte, error) {
	if k.Random {
		return json.Marshal(keySpecRandom)
	}
	return json.Marshal(keySpecFields(k))
}

// UnmarshalJSON reads what MarshalJSON writes.
func (k *KeySpec) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		if s != keySpecRandom {
			return fmt.Errorf("%q is not a partition key spec; write \"random\" or an object", s)
		}
		*k = KeySpec{Random: true}
		return nil
	}
	var f keySpecFields
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*k = KeySpec(f)
	return nil
}

// forms lists the forms set in k by their YAML names.
func (k KeySpec) forms() []string {
	var set []string
	for _, f := range []struct {
		name string
		on   bool
	}{
		{"random", k.Random}, {"field", k.Field != ""}, {"uniform", k.Uniform != nil},
		{"zipf", k.Zipf != nil}, {"hot", k.Hot != nil},
	} {
		if f.on {
			set = append(set, f.name)
		}
	}
	return set
}
