package generators

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v7"
)

// Log formats (the logs kind's format option).
const (
	LogApacheCommon   = "apache_common"   // NCSA Common Log Format
	LogApacheCombined = "apache_combined" // Common plus referer and user agent
	LogRFC3164        = "rfc3164"         // BSD syslog
	LogRFC5424        = "rfc5424"         // IETF syslog
	LogJSON           = "json"            // JSON application logs
)

var logsKind = kind{
	name: "logs",
	doc:  "web and application logs: Apache Common/Combined, RFC 3164 and RFC 5424 syslog, JSON app logs; optional error burst",
	options: []OptionSpec{
		{Name: "format", Type: OptionString, Default: LogApacheCombined, Doc: "line format", Allowed: []string{LogApacheCommon, LogApacheCombined, LogRFC3164, LogRFC5424, LogJSON}},
		{Name: "hosts", Type: OptionInt, Default: 20, Doc: "number of servers writing logs", Min: 1, Max: 100_000},
		{Name: "services", Type: OptionInt, Default: 8, Doc: "number of services (syslog app names, JSON service)", Min: 1, Max: 10_000},
		{Name: "clients", Type: OptionInt, Default: 5000, Doc: "number of distinct clients (IP, user agent)", Min: 1, Max: 1_000_000},
		{Name: "error_burst", Type: OptionFloat, Default: 0.0, Doc: "share of 5xx/ERROR records inside the burst window (0: no burst)", Min: 0, Max: 1},
		{Name: "error_burst_at", Type: OptionDuration, Default: "30s", Doc: "start of the burst window, from the first record's intended time", Min: 0, Max: float64(1000 * time.Hour)},
		{Name: "error_burst_for", Type: OptionDuration, Default: "30s", Doc: "length of the burst window", Min: float64(time.Millisecond), Max: float64(1000 * time.Hour)},
	},
	build: func(o options, seed int64) (Generator, error) {
		return newLogsGenerator(o, seed), nil
	},
}

// The realistic mix outside a burst: mostly 2xx, some redirects and client
// errors, a few server errors.
var (
	logStatuses     = []int{200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 429, 500, 502, 503, 504}
	logStatusMix    = newWeighted(70, 4, 2, 1, 2, 6, 1.5, 1.5, 1, 7, 0.6, 0.8, 0.3, 0.4, 0.2)
	logServerErrors = []int{500, 502, 503, 504}
	logMethods      = []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}
	logMethodMix    = newWeighted(75, 15, 4, 2, 2, 1, 1)
	logProtocols    = []string{"HTTP/1.1", "HTTP/1.1", "HTTP/2.0", "HTTP/1.0"}
)

// Log levels, with their syslog severities (RFC 5424 table 2).
const (
	levelDebug = iota
	levelInfo
	levelWarn
	levelError
)

var (
	logLevelNames     = []string{"DEBUG", "INFO", "WARN", "ERROR"}
	logLevelSeverity  = []int{7, 6, 4, 3}
	logFacilityLocal0 = 16
)

type logClient struct {
	ip, user, agent string // agent is escaped for a quoted Apache field
	agentJSON       string
	referer         string // quoted for Apache, "-" when none
}

type logsGenerator struct {
	format     string
	hosts      []string
	services   []string
	pids       []int // per service
	clients    []logClient
	paths      []string
	pathCDF    []float64 // Zipf popularity of paths
	messages   [4][]string
	burstShare float64
	burstAt    time.Duration
	burstFor   time.Duration
	start      time.Time // the first record's intended time
	started    bool

	rng   *rand.Rand
	meta  metaWriter
	clock clockFormatter

	recordKeys
	layout textLayout // of the last text record
}

// The logs kind's key fields, by index: host is the server that wrote the
// line, service its application (the Apache virtual host), client_ip the
// remote address.
const (
	logKeyHost = iota
	logKeyService
	logKeyClient
)

var (
	_ Generator = (*logsGenerator)(nil)
	_ resizable = (*logsGenerator)(nil)
)

func newLogsGenerator(o options, seed int64) *logsGenerator {
	faker := gofakeit.NewFaker(newPCG(seed, "logs/names"), false)
	fleet := newRand(seed, "logs/fleet")
	g := &logsGenerator{
		format:     o.str("format"),
		burstShare: o.float("error_burst"),
		burstAt:    o.duration("error_burst_at"),
		burstFor:   o.duration("error_burst_for"),
		rng:        newRand(seed, "logs/events"),
		recordKeys: newRecordKeys("host", "service", "client_ip"),
	}
	switch g.format {
	case LogApacheCommon, LogApacheCombined:
		g.clock.layout = "02/Jan/2006:15:04:05 -0700"
	case LogRFC3164:
		g.clock.layout = time.Stamp
	}
	domain := slug(faker.DomainName())
	for i := range o.int("hosts") {
		role := pick(fleet, []string{"web", "api", "app", "edge"})
		g.hosts = append(g.hosts, role+"-"+pad2(i+1)+"."+domain)
	}
	for i := range o.int("services") {
		name := slug(faker.AppName())
		if i < len(logServiceNames) {
			name = logServiceNames[i]
		}
		g.services = append(g.services, name)
		g.pids = append(g.pids, 1000+fleet.IntN(60000))
	}
	for range o.int("clients") {
		c := logClient{ip: faker.IPv4Address(), user: "-", referer: `"-"`}
		if fleet.Float64() < 0.1 {
			c.user = slug(faker.Username())
		}
		agent := faker.UserAgent()
		c.agent = strings.ReplaceAll(strings.ReplaceAll(agent, `\`, `\\`), `"`, `\"`)
		c.agentJSON = jsonString(agent)
		if fleet.Float64() < 0.6 {
			c.referer = `"` + strings.ReplaceAll(faker.URL(), `"`, "%22") + `"`
		}
		g.clients = append(g.clients, c)
	}
	g.paths = logPaths(faker, fleet, 300)
	g.pathCDF = zipfCDF(len(g.paths), 1.0)
	g.messages = logMessages(faker, fleet)
	return g
}

var logServiceNames = []string{"checkout", "catalog", "auth", "search", "payments", "inventory", "shipping", "recommendations"}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// logPaths makes n request paths (with query strings now and then), the
// first the most requested.
func logPaths(faker *gofakeit.Faker, r *rand.Rand, n int) []string {
	paths := []string{"/", "/index.html", "/favicon.ico", "/healthz", "/login", "/cart"}
	for len(paths) < n {
		noun := slug(faker.Noun())
		var p string
		switch r.IntN(6) {
		case 0:
			p = "/api/v1/" + noun + "s"
		case 1:
			p = "/api/v1/" + noun + "s/" + strconv.Itoa(r.IntN(100_000))
		case 2:
			p = "/static/js/" + noun + "." + strconv.FormatUint(r.Uint64()&0xffffffff, 16) + ".js"
		case 3:
			p = "/products/" + noun + "-" + slug(faker.Adjective())
		case 4:
			p = "/search?q=" + noun + "&page=" + strconv.Itoa(1+r.IntN(5))
		default:
			p = "/images/" + noun + "/" + strconv.Itoa(r.IntN(10_000)) + ".jpg"
		}
		paths = append(paths, p)
	}
	return paths
}

// logMessages makes application log messages per level.
func logMessages(faker *gofakeit.Faker, r *rand.Rand) [4][]string {
	var m [4][]string
	for range 40 {
		noun := strings.ToLower(faker.Noun())
		m[levelDebug] = append(m[levelDebug],
			"cache lookup for "+noun+":"+strconv.Itoa(r.IntN(10_000))+" hit="+strconv.FormatBool(r.IntN(3) > 0),
			"loaded "+strconv.Itoa(1+r.IntN(500))+" "+noun+" records from store")
		m[levelInfo] = append(m[levelInfo],
			"request completed",
			"user "+slug(faker.Username())+" signed in",
			noun+" updated by "+slug(faker.Username()))
		m[levelWarn] = append(m[levelWarn],
			"slow query on "+noun+"s took longer than expected",
			"retrying call to "+noun+"-service (attempt "+strconv.Itoa(2+r.IntN(3))+")",
			"rate limit close for client on /api/v1/"+noun+"s")
		m[levelError] = append(m[levelError],
			"upstream "+noun+"-service timed out after 30000 ms",
			"connection refused: db-"+strconv.Itoa(1+r.IntN(6))+".internal:5432",
			"unhandled exception in "+strings.ToUpper(noun[:1])+noun[1:]+"Handler: "+faker.HackerPhrase())
	}
	return m
}

func (g *logsGenerator) Kind() string { return "logs" }

func (g *logsGenerator) resizer() resizer {
	if g.format == LogJSON {
		return jsonResizer{}
	}
	return textResizer{layout: &g.layout}
}

// logRequest is one request, drawn once and written in the chosen format.
type logRequest struct {
	host, service int
	client        *logClient
	method, path  string
	status        int
	level         int
	bytes         int
	latencyMS     float64
}

func (g *logsGenerator) draw(m Meta) logRequest {
	if !g.started {
		g.start, g.started = m.Intended, true
	}
	r := logRequest{
		host:    g.rng.IntN(len(g.hosts)),
		service: g.rng.IntN(len(g.services)),
		client:  &g.clients[g.rng.IntN(len(g.clients))],
		method:  logMethods[logMethodMix.draw(g.rng)],
		path:    g.paths[searchCDF(g.pathCDF, g.rng.Float64())],
	}
	if g.inBurst(m.Intended) && g.rng.Float64() < g.burstShare {
		r.status = pick(g.rng, logServerErrors)
	} else {
		r.status = logStatuses[logStatusMix.draw(g.rng)]
	}
	r.latencyMS = 25 * math.Exp(0.8*g.rng.NormFloat64())
	r.bytes = int(2000 * math.Exp(1.2*g.rng.NormFloat64()))
	switch {
	case r.status >= 500:
		r.level = levelError
		r.latencyMS *= 4
		r.bytes = 100 + g.rng.IntN(400)
	case r.status == 429 || r.status == 401 || r.status == 403:
		r.level = levelWarn
	case g.rng.IntN(12) == 0:
		r.level = levelDebug
	default:
		r.level = levelInfo
	}
	if r.status == 304 || r.status == 204 || r.method == "HEAD" {
		r.bytes = 0
	}
	g.values[logKeyHost], g.values[logKeyService], g.values[logKeyClient] = g.hosts[r.host], g.services[r.service], r.client.ip
	return r
}

func (g *logsGenerator) inBurst(t time.Time) bool {
	if g.burstShare == 0 {
		return false
	}
	since := t.Sub(g.start)
	return since >= g.burstAt && since < g.burstAt+g.burstFor
}

// Next appends one log line (without a trailing newline) or JSON object.
func (g *logsGenerator) Next(dst []byte, m Meta) []byte {
	r := g.draw(m)
	start := len(dst)
	switch g.format {
	case LogApacheCommon, LogApacheCombined:
		dst = g.apache(dst, m, &r)
	case LogRFC3164:
		dst = g.rfc3164(dst, m, &r)
	case LogRFC5424:
		dst = g.rfc5424(dst, m, &r)
	default:
		return g.json(dst, m, &r)
	}
	l := &g.layout
	l.padAt -= start
	for i := range l.ntrims {
		l.trims[i].from -= start
		l.trims[i].to -= start
	}
	return dst
}

// apache appends host ident authuser [date] "request" status bytes, and
// for Combined "referer" "user-agent". The ident field (RFC 1413, "-" in
// practice) carries the metadata token. Padding goes into the URL's query
// string; trimming shortens the user agent, then the URL.
func (g *logsGenerator) apache(dst []byte, m Meta, r *logRequest) []byte {
	dst = append(dst, r.client.ip...)
	dst = append(dst, ' ')
	dst = g.meta.appendToken(dst, m)
	dst = append(dst, ' ')
	dst = append(dst, r.client.user...)
	dst = append(dst, " ["...)
	dst = g.clock.appendSecond(dst, m.Intended)
	dst = append(dst, `] "`...)
	dst = append(dst, r.method...)
	dst = append(dst, ' ')
	url := textSpan{from: len(dst) + 1} // keep the leading slash
	dst = append(dst, r.path...)
	url.to = len(dst)
	g.layout = textLayout{padAt: url.to, padPrefix: "?pad=", trims: [2]textSpan{url}, ntrims: 1}
	if strings.IndexByte(r.path, '?') >= 0 {
		g.layout.padPrefix = "&pad="
	}
	dst = append(dst, ' ')
	dst = append(dst, logProtocols[r.service%len(logProtocols)]...)
	dst = append(dst, `" `...)
	dst = strconv.AppendInt(dst, int64(r.status), 10)
	dst = append(dst, ' ')
	if r.bytes == 0 {
		dst = append(dst, '-')
	} else {
		dst = strconv.AppendInt(dst, int64(r.bytes), 10)
	}
	if g.format == LogApacheCombined {
		dst = append(dst, ' ')
		dst = append(dst, r.client.referer...)
		dst = append(dst, ` "`...)
		g.layout.trims[1].from = len(dst)
		dst = append(dst, r.client.agent...)
		g.layout.trims[1].to = len(dst)
		g.layout.ntrims = 2
		dst = append(dst, '"')
	}
	return dst
}

func (g *logsGenerator) appendPRI(dst []byte, r *logRequest) []byte {
	dst = append(dst, '<')
	dst = strconv.AppendInt(dst, int64(logFacilityLocal0*8+logLevelSeverity[r.level]), 10)
	return append(dst, '>')
}

// appendMessage appends the free-text message of a syslog line.
func (g *logsGenerator) appendMessage(dst []byte, r *logRequest) []byte {
	dst = append(dst, logLevelNames[r.level]...)
	from := len(dst) // trimming keeps the level
	dst = append(dst, ' ')
	dst = append(dst, pick(g.rng, g.messages[r.level])...)
	dst = append(dst, " method="...)
	dst = append(dst, r.method...)
	dst = append(dst, " path="...)
	dst = append(dst, r.path...)
	dst = append(dst, " status="...)
	dst = strconv.AppendInt(dst, int64(r.status), 10)
	dst = append(dst, " latency_ms="...)
	dst = appendFixed(dst, r.latencyMS, 1)
	g.layout = textLayout{padAt: len(dst), padPrefix: " pad=", trims: [2]textSpan{{from: from, to: len(dst)}}, ntrims: 1}
	return dst
}

// rfc3164 appends <PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG kinesim:ID:SENT
// with the metadata token closing the message.
func (g *logsGenerator) rfc3164(dst []byte, m Meta, r *logRequest) []byte {
	dst = g.appendPRI(dst, r)
	dst = g.clock.appendSecond(dst, m.Intended)
	dst = append(dst, ' ')
	host := g.hosts[r.host]
	if dot := strings.IndexByte(host, '.'); dot > 0 {
		host = host[:dot] // RFC 3164 wants the name without its domain
	}
	dst = append(dst, host...)
	dst = append(dst, ' ')
	dst = append(dst, g.services[r.service]...)
	dst = append(dst, '[')
	dst = strconv.AppendInt(dst, int64(g.pids[r.service]), 10)
	dst = append(dst, "]: "...)
	dst = g.appendMessage(dst, r)
	dst = append(dst, ' ')
	return g.meta.appendToken(dst, m)
}

// rfc5424 appends <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG with the
// metadata as a structured-data element.
func (g *logsGenerator) rfc5424(dst []byte, m Meta, r *logRequest) []byte {
	dst = g.appendPRI(dst, r)
	dst = append(dst, "1 "...)
	dst = g.clock.appendSecond(dst, m.Intended)
	dst = appendFraction(dst, m.Intended, 6)
	dst = append(dst, "Z "...)
	dst = append(dst, g.hosts[r.host]...)
	dst = append(dst, ' ')
	dst = append(dst, g.services[r.service]...)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(g.pids[r.service]), 10)
	dst = append(dst, " REQ "...)
	dst = g.meta.appendSD(dst, m)
	dst = append(dst, ' ')
	return g.appendMessage(dst, r)
}

// json appends a structured application log record.
func (g *logsGenerator) json(dst []byte, m Meta, r *logRequest) []byte {
	dst = g.meta.appendJSON(dst, m)
	dst = append(dst, `,"ts":"`...)
	dst = g.clock.appendISOMillis(dst, m.Intended)
	dst = append(dst, `","level":"`...)
	dst = append(dst, logLevelNames[r.level]...)
	dst = append(dst, `","service":"`...)
	dst = append(dst, g.services[r.service]...)
	dst = append(dst, `","host":"`...)
	dst = append(dst, g.hosts[r.host]...)
	dst = append(dst, `","trace_id":"`...)
	dst = appendHex(appendHex(dst, g.rng.Uint64()), g.rng.Uint64())
	dst = append(dst, `","span_id":"`...)
	dst = appendHex(dst, g.rng.Uint64())
	dst = append(dst, `","client_ip":"`...)
	dst = append(dst, r.client.ip...)
	dst = append(dst, `","method":"`...)
	dst = append(dst, r.method...)
	dst = append(dst, `","path":`...)
	dst = appendJSONString(dst, r.path)
	dst = append(dst, `,"status":`...)
	dst = strconv.AppendInt(dst, int64(r.status), 10)
	dst = append(dst, `,"latency_ms":`...)
	dst = appendFixed(dst, r.latencyMS, 3)
	dst = append(dst, `,"bytes":`...)
	dst = strconv.AppendInt(dst, int64(r.bytes), 10)
	dst = append(dst, `,"user_agent":`...)
	dst = append(dst, r.client.agentJSON...)
	dst = append(dst, `,"message":`...)
	dst = appendJSONString(dst, pick(g.rng, g.messages[r.level]))
	return append(dst, '}')
}
