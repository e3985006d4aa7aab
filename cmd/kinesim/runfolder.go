package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/reports"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/runner/ledger"
)

// runFolderFiles are the names of the files a run writes in its folder;
// --force removes these and nothing else.
var runFolderFiles = []string{
	runner.ResultFile, runner.ScenarioFile, runner.DeadLetterFile, metrics.IntervalLogFile, result.SeriesFile,
	reports.SummaryMarkdownFile, reports.HTMLReportFile, ledger.FileName,
}

// runFolderPatterns match the files a run writes with names of their own:
// a consumer's checkpoints, and result.json's temporary file when a crash
// left it.
var runFolderPatterns = []string{"checkpoints-*.json", ".result-*.json"}

// isRunFolderFile says whether name is a file kinesim writes in a run folder.
func isRunFolderFile(name string) bool {
	if slices.Contains(runFolderFiles, name) {
		return true
	}
	for _, p := range runFolderPatterns {
		if ok, _ := filepath.Match(p, name); ok {
			return true
		}
	}
	return false
}

// prepareRunFolder makes sure a run does not mix its files with another
// run's: dir must be absent or empty, unless force, which removes the files
// kinesim writes (by name) and leaves any other file where it is.
func prepareRunFolder(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return usageError("--out %s: %w", dir, err)
	case len(entries) == 0:
		return nil
	case !force:
		return usageError("--out %s: the folder is not empty (%s ...); use another folder, or --force to clear the files kinesim writes there",
			dir, entries[0].Name())
	}
	for _, e := range entries {
		if e.IsDir() || !isRunFolderFile(e.Name()) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return failure(fmt.Errorf("--force: %w", err))
		}
	}
	return nil
}
