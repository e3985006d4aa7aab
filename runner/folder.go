package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kinesim/kinesim/scenarios"
)

// RunDir is the default run folder: BASE/<scenario>-<UTC timestamp>.
func RunDir(base, scenario string, t time.Time) string {
	return filepath.Join(base, scenario+"-"+t.UTC().Format("20060102T150405Z"))
}

// writeScenario keeps the scenario as run (defaults and overrides applied),
// so the run can be repeated exactly.
func writeScenario(sc *scenarios.Scenario, path string) error {
	data, err := yaml.Marshal(sc)
	if err != nil {
		return fmt.Errorf("encode scenario: %w", err)
	}
	header := fmt.Sprintf("# The scenario as run by kinesim, defaults and overrides applied (from %s).\n", sc.File)
	if err := os.WriteFile(path, append([]byte(header), data...), 0o644); err != nil {
		return fmt.Errorf("run folder: %w", err)
	}
	return nil
}
