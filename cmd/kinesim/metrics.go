package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/kinesim/kinesim/metrics"
)

// metricsAddr completes --metrics-addr: a bare PORT or :PORT binds the
// loopback interface, so live metrics are not exposed to the network
// unless a host is named.
func metricsAddr(addr string) string {
	if !strings.Contains(addr, ":") {
		return "127.0.0.1:" + addr
	}
	if strings.HasPrefix(addr, ":") {
		return "127.0.0.1" + addr
	}
	return addr
}

// serveMetrics serves rec's live metrics in the Prometheus exposition format
// at http://ADDR/metrics until stop is called, and says where on w.
func serveMetrics(w io.Writer, addr string, rec *metrics.Recorder, scenario string) (stop func(), err error) {
	ln, err := net.Listen("tcp", metricsAddr(addr))
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", metrics.MetricsHandler(rec, map[string]string{"scenario": scenario}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(w, "kinesim: metrics server: %v\n", err)
		}
	}()
	fmt.Fprintf(w, "kinesim: serving live metrics at http://%s/metrics\n", ln.Addr())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}
