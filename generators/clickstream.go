package generators

import (
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/brianvoe/gofakeit/v7"
)

// Clickstream event types, in funnel order.
const (
	ClickPageView    = "page_view"
	ClickProductView = "product_view"
	ClickAddToCart   = "add_to_cart"
	ClickCheckout    = "checkout"
	ClickPurchase    = "purchase"
)

// clickFunnel lists the event types by funnel stage.
var clickFunnel = []string{ClickPageView, ClickProductView, ClickAddToCart, ClickCheckout, ClickPurchase}

var clickstreamKind = kind{
	name: "clickstream",
	doc:  "web shop sessions through a funnel (page_view → product_view → add_to_cart → checkout → purchase) with drop-off; Zipf product popularity; JSON",
	options: []OptionSpec{
		{Name: "users", Type: OptionInt, Default: 10_000, Doc: "number of distinct users", Min: 1, Max: 10_000_000},
		{Name: "products", Type: OptionInt, Default: 1000, Doc: "catalogue size", Min: 1, Max: 1_000_000},
		{Name: "sessions", Type: OptionInt, Default: 500, Doc: "sessions under way at once (their events interleave)", Min: 1, Max: 1_000_000},
		{Name: "zipf_s", Type: OptionFloat, Default: 1.1, Doc: "product popularity: product k is viewed in proportion to 1/k^s", Min: 0.01, Max: 10},
		{Name: "product_view_rate", Type: OptionFloat, Default: 0.65, Doc: "share of sessions that go on from browsing pages to a product", Min: 0, Max: 1},
		{Name: "add_to_cart_rate", Type: OptionFloat, Default: 0.3, Doc: "share that go on from product views to the cart", Min: 0, Max: 1},
		{Name: "checkout_rate", Type: OptionFloat, Default: 0.55, Doc: "share that go on from the cart to checkout", Min: 0, Max: 1},
		{Name: "purchase_rate", Type: OptionFloat, Default: 0.75, Doc: "share of checkouts that end in a purchase", Min: 0, Max: 1},
	},
	build: func(o options, seed int64) (Generator, error) {
		return newClickstreamGenerator(o, seed), nil
	},
}

// Chances to stay at a stage: browse another page, view another product,
// add another product.
var clickRepeat = [...]float64{0.35, 0.45, 0.2, 0, 0}

var (
	clickReferrers = []string{`"https://www.google.com/"`, `"https://www.google.com/"`, `"https://www.bing.com/"`, `"https://duckduckgo.com/"`,
		`"https://www.facebook.com/"`, `"https://t.co/"`, `"https://www.instagram.com/"`, `"https://news.ycombinator.com/"`, "null", "null", "null"} // null: typed in or bookmarked
	clickDevices  = []string{"desktop", "desktop", "mobile", "mobile", "mobile", "tablet"}
	clickPayments = []string{"card", "card", "card", "paypal", "apple_pay", "google_pay", "gift_card"}
)

type clickUser struct {
	id   string
	json string // ,"user_id":…,"device":…,"user_agent":…,"country":…,"city":…
}

type clickProduct struct {
	id    string
	json  string // ,"product_id":…,"product_name":…,"category":…
	price float64
}

type clickSession struct {
	id        string
	user      int32
	stage     int8
	seq       int32
	product   int32 // last product viewed
	cartItems int32
	cartValue float64
}

type clickstreamGenerator struct {
	users      []clickUser
	products   []clickProduct
	productCDF []float64
	pages      []string // JSON-quoted browse pages
	goOn       [5]float64
	sessions   []clickSession
	nextID     uint64

	rng   *rand.Rand
	meta  metaWriter
	clock clockFormatter

	recordKeys
}

// The clickstream kind's key fields, by index. product_id of an event
// without a product is its session id.
const (
	clickKeySession = iota
	clickKeyUser
	clickKeyProduct
	clickKeyEvent
)

var (
	_ Generator = (*clickstreamGenerator)(nil)
	_ resizable = (*clickstreamGenerator)(nil)
)

func newClickstreamGenerator(o options, seed int64) *clickstreamGenerator {
	faker := gofakeit.NewFaker(newPCG(seed, "clickstream/names"), false)
	fleet := newRand(seed, "clickstream/fleet")
	g := &clickstreamGenerator{
		users:      make([]clickUser, o.int("users")),
		products:   make([]clickProduct, o.int("products")),
		goOn:       [5]float64{o.float("product_view_rate"), o.float("add_to_cart_rate"), o.float("checkout_rate"), o.float("purchase_rate"), 0},
		sessions:   make([]clickSession, o.int("sessions")),
		rng:        newRand(seed, "clickstream/events"),
		recordKeys: newRecordKeys("session_id", "user_id", "product_id", "event_type"),
	}
	// Distinct people are costly to fake; a pool of profiles is shared
	// among the users (each keeps its own id).
	profiles := make([]string, min(len(g.users), 2000))
	for i := range profiles {
		profiles[i] = `,"device":"` + pick(fleet, clickDevices) + `","user_agent":` + jsonString(faker.UserAgent()) +
			`,"country":` + jsonString(faker.CountryAbr()) + `,"city":` + jsonString(faker.City())
	}
	for i := range g.users {
		id := "u-" + strconv.Itoa(100000+i)
		g.users[i] = clickUser{id: id, json: `,"user_id":"` + id + `"` + profiles[i%len(profiles)]}
	}
	categories := map[string]bool{}
	for i := range g.products {
		p := &g.products[i]
		p.id = "p-" + strconv.Itoa(10000+i)
		category := faker.ProductCategory()
		categories[category] = true
		p.json = `,"product_id":"` + p.id + `","product_name":` + jsonString(faker.ProductName()) + `,"category":` + jsonString(category)
		p.price = faker.Price(2, 400)
	}
	g.productCDF = zipfCDF(len(g.products), o.float("zipf_s"))
	g.pages = []string{`"/"`, `"/deals"`, `"/new-arrivals"`, `"/account"`}
	for c := range categories {
		g.pages = append(g.pages, jsonString("/category/"+slug(c)))
	}
	// Map order is random: sort the category pages for determinism.
	sort.Strings(g.pages[4:])
	for i := range g.sessions {
		g.startSession(&g.sessions[i])
	}
	return g
}

func (g *clickstreamGenerator) startSession(s *clickSession) {
	g.nextID++
	*s = clickSession{id: "s-" + strconv.FormatUint(g.nextID, 36), user: int32(g.rng.IntN(len(g.users))), stage: -1}
}

func (g *clickstreamGenerator) Kind() string     { return "clickstream" }
func (g *clickstreamGenerator) resizer() resizer { return jsonResizer{} }

// Next moves a random session one step down its funnel: it stays at its
// stage, goes on to the next, or drops off (then a new session starts in
// its place, and its first page view is the record).
func (g *clickstreamGenerator) Next(dst []byte, m Meta) []byte {
	s := &g.sessions[g.rng.IntN(len(g.sessions))]
	if s.stage >= 0 {
		u := g.rng.Float64()
		switch repeat := clickRepeat[s.stage]; {
		case u < repeat:
			// same stage again
		case u < repeat+(1-repeat)*g.goOn[s.stage]:
			s.stage++
		default:
			g.startSession(s)
		}
	}
	if s.stage < 0 {
		s.stage = 0
	}
	s.seq++
	event := clickFunnel[s.stage]
	user := &g.users[s.user]
	g.values[clickKeySession], g.values[clickKeyUser], g.values[clickKeyProduct], g.values[clickKeyEvent] = s.id, user.id, s.id, event

	dst = g.meta.appendJSON(dst, m)
	dst = append(dst, `,"event_type":"`...)
	dst = append(dst, event...)
	dst = append(dst, `","ts":"`...)
	dst = g.clock.appendISOMillis(dst, m.Intended)
	dst = append(dst, `","session_id":"`...)
	dst = append(dst, s.id...)
	dst = append(dst, `","seq":`...)
	dst = strconv.AppendInt(dst, int64(s.seq), 10)
	dst = append(dst, user.json...)
	switch event {
	case ClickPageView:
		dst = append(dst, `,"page":`...)
		dst = append(dst, pick(g.rng, g.pages)...)
		if s.seq == 1 {
			dst = append(dst, `,"referrer":`...)
			dst = append(dst, pick(g.rng, clickReferrers)...)
		}
	case ClickProductView, ClickAddToCart:
		if event == ClickProductView || s.cartItems > 0 && g.rng.IntN(2) == 0 {
			s.product = int32(searchCDF(g.productCDF, g.rng.Float64()))
		}
		p := &g.products[s.product]
		g.values[clickKeyProduct] = p.id
		dst = append(dst, p.json...)
		dst = append(dst, `,"price":`...)
		dst = appendFixed(dst, p.price, 2)
		if event == ClickAddToCart {
			qty := 1 + g.rng.IntN(3)/2
			s.cartItems += int32(qty)
			s.cartValue += p.price * float64(qty)
			dst = append(dst, `,"quantity":`...)
			dst = strconv.AppendInt(dst, int64(qty), 10)
			dst = g.appendCart(dst, s)
		}
	case ClickCheckout:
		dst = g.appendCart(dst, s)
		dst = append(dst, `,"payment_method":"`...)
		dst = append(dst, pick(g.rng, clickPayments)...)
		dst = append(dst, '"')
	case ClickPurchase:
		dst = g.appendCart(dst, s)
		dst = append(dst, `,"order_id":"o-`...)
		dst = append(dst, s.id[2:]...)
		dst = append(dst, `","revenue":`...)
		dst = appendFixed(dst, s.cartValue*1.08, 2) // with tax
		dst = append(dst, `,"currency":"USD"`...)
	}
	return append(dst, '}')
}

func (g *clickstreamGenerator) appendCart(dst []byte, s *clickSession) []byte {
	dst = append(dst, `,"cart_items":`...)
	dst = strconv.AppendInt(dst, int64(s.cartItems), 10)
	dst = append(dst, `,"cart_value":`...)
	return appendFixed(dst, s.cartValue, 2)
}
