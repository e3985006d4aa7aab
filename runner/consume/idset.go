package consume

import (
	"hash/maphash"

	"github.com/RoaringBitmap/roaring/v2/roaring64"

	"github.com/kinesim/kinesim/generators/recordid"
)

// maxLooseIDs is how many record ids that are not PRODUCER-N an idSet
// keeps as strings; past it, it keeps their 64-bit hashes instead.
const maxLooseIDs = 100_000

// idSet is the set of record ids an idempotent sink has applied. kinesim's
// ids are PRODUCER-N with N dense per producer (generators/recordid), so it
// keeps one compressed bitmap of numbers per producer: a few bits per id
// instead of a string each. Ids of another form (a replayed stream's, a
// user generator's) go to a map of at most maxLooseIDs strings, then to a
// bitmap of their 64-bit hashes, where two distinct ids collide with odds of
// about n²/2⁶⁵ for n such ids. Not safe for concurrent use (the sink locks).
type idSet struct {
	producers map[string]*roaring64.Bitmap
	loose     map[string]struct{}
	hashed    *roaring64.Bitmap
	seed      maphash.Seed
}

func newIDSet() *idSet {
	return &idSet{producers: map[string]*roaring64.Bitmap{}, loose: map[string]struct{}{}, seed: maphash.MakeSeed()}
}

// add adds id and reports whether it was new.
func (s *idSet) add(id string) bool {
	if name, n, ok := recordid.Parse(id); ok {
		b := s.producers[name]
		if b == nil {
			b = roaring64.New()
			s.producers[name] = b
		}
		return b.CheckedAdd(n)
	}
	if _, dup := s.loose[id]; dup {
		return false
	}
	if len(s.loose) < maxLooseIDs {
		s.loose[id] = struct{}{}
		return true
	}
	if s.hashed == nil {
		s.hashed = roaring64.New()
	}
	return s.hashed.CheckedAdd(maphash.String(s.seed, id))
}

// sizeInBytes is about how much memory the bitmaps take.
func (s *idSet) sizeInBytes() uint64 {
	var n uint64
	for _, b := range s.producers {
		n += b.GetSizeInBytes()
	}
	if s.hashed != nil {
		n += s.hashed.GetSizeInBytes()
	}
	return n
}
