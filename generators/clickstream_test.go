package generators

import (
	"encoding/json"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type clickEvent struct {
	Event     string   `json:"event_type"`
	Session   string   `json:"session_id"`
	Seq       int      `json:"seq"`
	User      string   `json:"user_id"`
	Product   string   `json:"product_id"`
	CartItems *int     `json:"cart_items"`
	Revenue   *float64 `json:"revenue"`
}

func decodeClicks(t *testing.T, opts map[string]any, n int) []clickEvent {
	t.Helper()
	events := make([]clickEvent, n)
	for i, rec := range generate(t, "clickstream", opts, 21, n) {
		require.NoError(t, json.Unmarshal(rec, &events[i]), "record %d: %s", i, rec)
	}
	return events
}

func TestClickstreamFunnelOrderPerSession(t *testing.T) {
	type session struct {
		user  string
		stage int
		seq   int
	}
	sessions := map[string]*session{}
	reached := make([]int, len(clickFunnel))
	for i, e := range decodeClicks(t, map[string]any{"sessions": 200}, 50_000) {
		stage := slices.Index(clickFunnel, e.Event)
		require.GreaterOrEqual(t, stage, 0, "record %d: unknown event %q", i, e.Event)
		s, ok := sessions[e.Session]
		if !ok {
			require.Equal(t, ClickPageView, e.Event, "record %d: session %s starts with a page view", i, e.Session)
			s = &session{user: e.User}
			sessions[e.Session] = s
			reached[0]++
		}
		require.Equal(t, s.seq+1, e.Seq, "record %d: seq of %s", i, e.Session)
		require.Equal(t, s.user, e.User, "record %d: one user per session", i)
		require.True(t, stage == s.stage || stage == s.stage+1, "record %d: %s went from %s to %s", i, e.Session, clickFunnel[s.stage], e.Event)
		if stage > s.stage {
			reached[stage]++
		}
		s.stage, s.seq = stage, e.Seq
		if e.Event == ClickPurchase {
			require.NotNil(t, e.Revenue, "record %d: purchase has revenue", i)
			assert.Positive(t, *e.Revenue)
		}
		if stage >= 2 {
			require.NotNil(t, e.CartItems, "record %d: cart events carry the cart", i)
			assert.Positive(t, *e.CartItems, "record %d: cart not empty", i)
		}
	}
	// Each stage loses sessions: drop-off happens at every step.
	for stage := 1; stage < len(reached); stage++ {
		assert.Less(t, reached[stage], reached[stage-1], "fewer sessions reach %s than %s", clickFunnel[stage], clickFunnel[stage-1])
		assert.Positive(t, reached[stage], "some sessions reach %s", clickFunnel[stage])
	}
}

func TestClickstreamProductsFollowZipf(t *testing.T) {
	const products, s = 200, 1.2
	counts := map[string]float64{}
	views := 0.0
	for _, e := range decodeClicks(t, map[string]any{"products": products, "zipf_s": s, "product_view_rate": 1}, 60_000) {
		if e.Event == ClickProductView {
			counts[e.Product]++
			views++
		}
	}
	total := 0.0
	for k := 1; k <= products; k++ {
		total += math.Pow(float64(k), -s)
	}
	tests := []struct {
		product string
		rank    int
	}{
		{product: "p-10000", rank: 1}, // the most popular product
		{product: "p-10001", rank: 2}, // the runner-up
		{product: "p-10009", rank: 10},
	}
	for _, tt := range tests {
		want := math.Pow(float64(tt.rank), -s) / total
		got := counts[tt.product] / views
		assert.InDelta(t, want, got, max(0.004, 4*math.Sqrt(want*(1-want)/views)), "share of %s: got %.4f, want %.4f", tt.product, got, want)
	}
}
