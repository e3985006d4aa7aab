package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"sync"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"

	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// Proxy is an in-process TCP proxy (toxiproxy) between kinesim and a real
// endpoint, on which network faults degrade the connection for a window.
// It is safe for concurrent use; Close stops it and closes its connections.
type Proxy struct {
	px       *toxiproxy.Proxy
	upstream string

	mu   sync.Mutex
	down int // Down faults in effect
}

// StartProxy listens on a free loopback port and forwards every connection
// to upstream (host:port).
func StartProxy(upstream string) (*Proxy, error) {
	logger := zerolog.Nop()
	server := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), logger)
	px := toxiproxy.NewProxy(server, "kinesim", "127.0.0.1:0", upstream)
	if err := px.Start(); err != nil {
		return nil, fmt.Errorf("chaos proxy to %s: %w", upstream, err)
	}
	return &Proxy{px: px, upstream: upstream}, nil
}

// StartEndpointProxy starts a proxy to the host of an endpoint URL
// (http://127.0.0.1:4567) and returns it with the URL to use instead.
func StartEndpointProxy(endpoint string) (*Proxy, string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, "", fmt.Errorf("chaos proxy: endpoint %q is not a URL such as http://127.0.0.1:4567", endpoint)
	}
	host := u.Host
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	}
	p, err := StartProxy(host)
	if err != nil {
		return nil, "", err
	}
	u.Host = p.Addr()
	return p, u.String(), nil
}

// Addr is the proxy's listen address, host:port.
func (p *Proxy) Addr() string {
	p.px.Lock()
	defer p.px.Unlock()
	return p.px.Listen
}

// Close stops the proxy.
func (p *Proxy) Close() { p.px.Stop() }

type toxic struct {
	Name       string         `json:"name"`
	Type       string         `json:"type"`
	Stream     string         `json:"stream"`
	Toxicity   float32        `json:"toxicity"`
	Attributes map[string]any `json:"attributes"`
}

// toxics are the toxics of a fault, named after it.
func toxics(name string, n scenarios.NetworkFault) []toxic {
	var out []toxic
	if n.Latency > 0 {
		out = append(out, toxic{Name: name + "-latency", Type: "latency", Stream: "downstream", Toxicity: 1,
			Attributes: map[string]any{"latency": n.Latency.D().Milliseconds(), "jitter": n.Jitter.D().Milliseconds()}})
	}
	if n.Bandwidth > 0 {
		kbps := max(int64(n.Bandwidth)/1000, 1)
		for _, dir := range []string{"upstream", "downstream"} {
			out = append(out, toxic{Name: name + "-bandwidth-" + dir, Type: "bandwidth", Stream: dir, Toxicity: 1,
				Attributes: map[string]any{"rate": kbps}})
		}
	}
	if n.Reset {
		out = append(out, toxic{Name: name + "-reset", Type: "reset_peer", Stream: "upstream", Toxicity: 1,
			Attributes: map[string]any{"timeout": 0}})
	}
	return out
}

// Apply turns a network fault on under name.
func (p *Proxy) Apply(name string, n scenarios.NetworkFault) error {
	for _, t := range toxics(name, n) {
		data, _ := json.Marshal(t) // plain data
		if _, err := p.px.Toxics.AddToxicJson(bytes.NewReader(data)); err != nil {
			return fmt.Errorf("chaos proxy: %s: %w", t.Type, err)
		}
	}
	if n.Down {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.down++
		if p.down == 1 {
			p.px.Stop()
		}
	}
	return nil
}

// Remove turns the fault Apply turned on under name off again.
func (p *Proxy) Remove(ctx context.Context, name string, n scenarios.NetworkFault) error {
	var errs []error
	for _, t := range toxics(name, n) {
		if err := p.px.Toxics.RemoveToxic(ctx, t.Name); err != nil {
			errs = append(errs, err)
		}
	}
	if n.Down {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.down--
		if p.down == 0 {
			if err := p.px.Start(); err != nil {
				errs = append(errs, fmt.Errorf("chaos proxy: back up: %w", err))
			}
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// network runs one network fault's window.
func (p *Injector) network(ctx context.Context, f *fault) {
	if p.sleep(ctx, f.from.Sub(p.clk.Now())) != nil {
		f.fail(fmt.Errorf("the run stopped before the network fault"))
		return
	}
	name := fmt.Sprintf("chaos-%d", f.index)
	if err := p.proxy.Apply(name, *f.cfg.Network); err != nil {
		f.fail(err)
		return
	}
	_ = p.sleep(ctx, f.to.Sub(p.clk.Now())) // on a stop, the fault ends now
	if err := p.proxy.Remove(context.WithoutCancel(ctx), name, *f.cfg.Network); err != nil {
		f.fail(err)
	}
}

// A network fault degrades every connection, so its damage is counted on
// every call that was in flight during its window (began before its end,
// ended after its start): producer writes with their records, and the
// records of the writes that failed, which the producer retries; consumer
// reads (GetShardIterator, GetRecords) as calls.

// networkFaults are the timeline's network faults.
func (p *Injector) networkFaults() []*fault {
	if p == nil {
		return nil
	}
	var out []*fault
	for _, f := range p.faults {
		if f.kind == scenarios.FaultNetwork {
			out = append(out, f)
		}
	}
	return out
}

// hitNetwork counts a call that began at began and just ended against the
// network faults whose window it overlapped.
func (p *Injector) hitNetwork(faults []*fault, began time.Time, records, retries int) {
	ended := p.clk.Now()
	for _, f := range faults {
		if began.Before(f.to) && !ended.Before(f.from) {
			f.hitCall(records, retries)
		}
	}
}

// networkWriter counts the writes network faults affected.
type networkWriter struct {
	plan   *Injector
	inner  stream.Writer
	faults []*fault
}

var _ stream.Writer = (*networkWriter)(nil)

// observeWrites wraps w to count the writes network faults affect; w
// itself without network faults.
func (p *Injector) observeWrites(w stream.Writer) stream.Writer {
	faults := p.networkFaults()
	if len(faults) == 0 {
		return w
	}
	return &networkWriter{plan: p, inner: w, faults: faults}
}

// PutRecords makes the call and counts it.
func (w *networkWriter) PutRecords(ctx context.Context, in *stream.PutRecordsInput) (*stream.PutRecordsOutput, error) {
	began := w.plan.clk.Now()
	out, err := w.inner.PutRecords(ctx, in)
	retries := 0
	if err != nil && ctx.Err() == nil {
		retries = len(in.Records) // a failed call is retried whole
	}
	w.plan.hitNetwork(w.faults, began, len(in.Records), retries)
	return out, err
}

// networkReader counts the reads network faults affected.
type networkReader struct {
	plan   *Injector
	inner  stream.Reader
	faults []*fault
}

var _ stream.Reader = (*networkReader)(nil)

// observeReads wraps r to count the reads network faults affect; r itself
// without network faults.
func (p *Injector) observeReads(r stream.Reader) stream.Reader {
	faults := p.networkFaults()
	if len(faults) == 0 {
		return r
	}
	return &networkReader{plan: p, inner: r, faults: faults}
}

// ListShards passes through: it is not a read of records.
func (r *networkReader) ListShards(ctx context.Context, streamName string) ([]stream.Shard, error) {
	return r.inner.ListShards(ctx, streamName)
}

// GetShardIterator makes the call and counts it.
func (r *networkReader) GetShardIterator(ctx context.Context, in *stream.GetShardIteratorInput) (string, error) {
	began := r.plan.clk.Now()
	it, err := r.inner.GetShardIterator(ctx, in)
	r.plan.hitNetwork(r.faults, began, 0, 0)
	return it, err
}

// GetRecords makes the call and counts it.
func (r *networkReader) GetRecords(ctx context.Context, in *stream.GetRecordsInput) (*stream.GetRecordsOutput, error) {
	began := r.plan.clk.Now()
	out, err := r.inner.GetRecords(ctx, in)
	r.plan.hitNetwork(r.faults, began, 0, 0)
	return out, err
}
