package generators

import (
	"encoding/json"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	apacheCommonPattern = `^(\S+) (kinesim:\S+) (\S+) \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "([A-Z]+) (/\S*) (HTTP/\d\.\d)" (\d{3}) (\d+|-)`
	quotedPattern       = `"((?:[^"\\]|\\.)*)"`
)

// logGrammars are the line grammars; the submatch named in statusGroup is
// the HTTP status, in severityGroup the syslog PRI.
var logGrammars = map[string]*regexp.Regexp{
	LogApacheCommon:   regexp.MustCompile(apacheCommonPattern + `$`),
	LogApacheCombined: regexp.MustCompile(apacheCommonPattern + ` ` + quotedPattern + ` ` + quotedPattern + `$`),
	// RFC 3164: <PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG (hostname without a domain).
	LogRFC3164: regexp.MustCompile(`^<(\d{1,3})>[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} ([\w-]+) ([\w.-]{1,32})\[(\d+)\]: (\S.*)$`),
	// RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG.
	LogRFC5424: regexp.MustCompile(`^<(\d{1,3})>1 \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z (\S{1,255}) (\S{1,48}) (\d{1,128}) (\S{1,32}) (\[kinesim@32473 id="[\w.-]+" sent_us="\d+"\]) (\S.*)$`),
}

func TestLogLinesMatchTheirGrammar(t *testing.T) {
	tests := []struct {
		format string
		size   any // record_size, nil for none
	}{
		{format: LogApacheCommon},   // NCSA Common Log Format
		{format: LogApacheCombined}, // Combined adds quoted referer and user agent
		{format: LogRFC3164},        // BSD syslog
		{format: LogRFC5424},        // IETF syslog with structured data
		// Padded and trimmed lines keep their grammar.
		{format: LogApacheCommon, size: map[string]any{"uniform": map[string]any{"min": 60, "max": 600}}},
		{format: LogApacheCombined, size: map[string]any{"uniform": map[string]any{"min": 60, "max": 600}}},
		{format: LogRFC3164, size: map[string]any{"uniform": map[string]any{"min": 60, "max": 600}}},
		{format: LogRFC5424, size: map[string]any{"uniform": map[string]any{"min": 60, "max": 600}}},
	}
	for _, tt := range tests {
		name := tt.format
		if tt.size != nil {
			name += "/record_size"
		}
		t.Run(name, func(t *testing.T) {
			grammar := logGrammars[tt.format]
			opts := map[string]any{"format": tt.format}
			if tt.size != nil {
				opts[RecordSizeOption] = tt.size
			}
			for i, rec := range generate(t, "logs", opts, 12, 10_000) {
				require.Regexp(t, grammar, string(rec), "record %d", i)
			}
		})
	}
}

func TestSyslogPriorityFollowsLevel(t *testing.T) {
	for i, rec := range generate(t, "logs", map[string]any{"format": LogRFC5424}, 2, 5000) {
		m := logGrammars[LogRFC5424].FindStringSubmatch(string(rec))
		require.NotNil(t, m, "record %d: %s", i, rec)
		pri, _ := strconv.Atoi(m[1])
		assert.Equal(t, logFacilityLocal0, pri/8, "record %d: facility local0", i)
		msg := m[7]
		level := msg[:regexp.MustCompile(`^[A-Z]+`).FindStringIndex(msg)[1]]
		want := map[string]int{"DEBUG": 7, "INFO": 6, "WARN": 4, "ERROR": 3}[level]
		assert.Equal(t, want, pri%8, "record %d: severity of %s", i, level)
	}
}

func TestLogsErrorBurst(t *testing.T) {
	tests := []struct {
		name            string
		opts            map[string]any
		wantIn, wantOut float64 // share of 5xx inside and outside [1s, 2s)
	}{
		// No burst: about 1.7% server errors throughout.
		{name: "no burst", opts: map[string]any{}, wantIn: 0.017, wantOut: 0.017},
		// A 60% burst from 1s for 1s; the baseline mix fills the rest.
		{name: "burst", opts: map[string]any{"error_burst": 0.6, "error_burst_at": "1s", "error_burst_for": "1s"}, wantIn: 0.6 + 0.4*0.017, wantOut: 0.017},
		// A total outage.
		{name: "outage", opts: map[string]any{"error_burst": 1, "error_burst_at": "1s", "error_burst_for": "1s"}, wantIn: 1, wantOut: 0.017},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts["format"] = LogJSON
			g, err := New("logs", tt.opts, 3)
			require.NoError(t, err)
			var in, inErr, out, outErr float64
			for i := range 30_000 {
				intended := testStart.Add(time.Duration(i) * 100 * time.Microsecond) // 3 s of records
				var rec struct {
					Status int    `json:"status"`
					Level  string `json:"level"`
				}
				require.NoError(t, json.Unmarshal(g.Next(nil, Meta{Producer: "p", ID: uint64(i), Intended: intended}), &rec))
				isErr := 0.0
				if rec.Status >= 500 {
					isErr = 1
					assert.Equal(t, "ERROR", rec.Level, "5xx logs at ERROR")
				}
				if since := intended.Sub(testStart); since >= time.Second && since < 2*time.Second {
					in, inErr = in+1, inErr+isErr
				} else {
					out, outErr = out+1, outErr+isErr
				}
			}
			assert.InDelta(t, tt.wantIn, inErr/in, 0.02, "5xx share inside the window")
			assert.InDelta(t, tt.wantOut, outErr/out, 0.01, "5xx share outside the window")
		})
	}
}
