// Package reports turns a run's result.Result into what people read and
// CI judges: the terminal and Markdown summaries, the self-contained HTML
// report, the run folder's report files, thresholds judged against a
// result (and, live, the abort_on_fail watcher on a metrics.Recorder's
// seconds), and the comparison of two results.
//
// The renderers and JudgeThresholds read their arguments and keep no
// state: call them from any goroutine, one result at a time. An AbortWatch
// is safe for concurrent use.
package reports
