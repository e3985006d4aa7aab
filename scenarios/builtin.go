package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// catalogue holds the built-in scenarios, one *.yaml file each, named after
// the scenario.
//
//go:embed *.yaml
var catalogue embed.FS

// Info describes a built-in scenario.
type Info struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Builtins lists the built-in scenarios, sorted by name.
func Builtins() []Info {
	entries, _ := fs.Glob(catalogue, "*.yaml") // the pattern is valid
	infos := make([]Info, 0, len(entries))
	for _, file := range entries {
		data, _ := catalogue.ReadFile(file) // listed just above
		var head struct {
			Description string `yaml:"description"`
		}
		_ = yaml.Unmarshal(data, &head) // a broken file still lists; Builtin reports it
		infos = append(infos, Info{Name: strings.TrimSuffix(path.Base(file), ".yaml"), Description: head.Description})
	}
	slices.SortFunc(infos, func(a, b Info) int { return strings.Compare(a.Name, b.Name) })
	return infos
}

// Builtin parses the built-in scenario name; its File is "builtin:NAME".
// Each call returns a fresh copy the caller may change.
func Builtin(name string, opts ...Option) (*Scenario, error) {
	data, err := BuiltinSource(name)
	if err != nil {
		return nil, err
	}
	return Parse(data, "builtin:"+name, opts...)
}

// BuiltinSource returns the YAML text of the built-in scenario name, comments
// included (a starting point for a scenario of one's own).
func BuiltinSource(name string) ([]byte, error) {
	data, err := catalogue.ReadFile(name + ".yaml")
	if err != nil || strings.ContainsAny(name, "/\\") {
		names := make([]string, 0)
		for _, info := range Builtins() {
			names = append(names, info.Name)
		}
		return nil, fmt.Errorf("no built-in scenario %q and no file by that name; built-ins: %s", name, strings.Join(names, ", "))
	}
	return data, nil
}
