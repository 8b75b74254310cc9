package views

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/news"
)

// saltKey is the setting holding today's salt as "YYYY-MM-DD <hex>". One key
// that is overwritten each day means yesterday's salt is gone the moment
// today's is written: old readers' hashes can no longer be recomputed.
const saltKey = "views_salt"

// dayState is the current UTC day and its secret salt.
type dayState struct {
	n    int64 // days since the Unix epoch, UTC
	salt [32]byte
}

func dayNumber(t time.Time) int64 { return t.Unix() / 86400 }

func dayDate(n int64) string { return time.Unix(n*86400, 0).UTC().Format(time.DateOnly) }

// loadDay returns day n's salt, shared through the store so that every node
// hashes a reader the same way and a restart keeps it.
func (c *Counter) loadDay(ctx context.Context, n int64) (*dayState, error) {
	date := dayDate(n)
	v, err := c.store.GetSetting(ctx, saltKey)
	switch {
	case err == nil:
		d, salt, ok := parseSalt(v)
		if ok && d == date {
			return &dayState{n: n, salt: salt}, nil
		}
		if ok && d > date {
			// Another node's clock is ahead of ours and has already
			// rotated: keep its salt, and use a private one until our
			// clock catches up.
			c.log.Warn("views: stored salt is for a later day; is this node's clock behind?", "stored", d, "today", date)
			return newDayState(n), nil
		}
	case !errors.Is(err, news.ErrNotFound):
		return nil, err
	}
	d := newDayState(n)
	if err := c.store.PutSetting(ctx, saltKey, date+" "+hex.EncodeToString(d.salt[:])); err != nil {
		return nil, err
	}
	// Two nodes may rotate at the same moment; read back so that both end
	// up with whichever salt was written last.
	if v, err := c.store.GetSetting(ctx, saltKey); err == nil {
		if sd, salt, ok := parseSalt(v); ok && sd == date {
			d.salt = salt
		}
	}
	return d, nil
}

func newDayState(n int64) *dayState {
	d := &dayState{n: n}
	if _, err := rand.Read(d.salt[:]); err != nil {
		panic(fmt.Sprintf("views: crypto/rand: %v", err)) // never fails on supported systems
	}
	return d
}

func parseSalt(v string) (date string, salt [32]byte, ok bool) {
	date, h, found := strings.Cut(v, " ")
	if !found || len(h) != 64 {
		return "", salt, false
	}
	if _, err := hex.Decode(salt[:], []byte(h)); err != nil {
		return "", salt, false
	}
	return date, salt, true
}

// today returns the state for the day of now, rotating when the day has
// turned. Rotation reads the store once a day per node; beacons arriving
// meanwhile wait for it, so a reader cannot slip between two salts.
func (c *Counter) today(now time.Time) *dayState {
	n := dayNumber(now)
	d := c.day.Load()
	if d.n >= n {
		return d
	}
	c.rotateMu.Lock()
	defer c.rotateMu.Unlock()
	if d = c.day.Load(); d.n >= n {
		return d
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	nd, err := c.loadDay(ctx, n)
	if err != nil {
		// Counting goes on with a private salt: dedup still holds on this
		// node, only not across nodes.
		c.log.Warn("views: cannot share today's salt; using a private one", "err", err)
		nd = newDayState(n)
	}
	// Forget yesterday's readers before publishing the new salt, so that no
	// new-day reader is recorded in a set about to be cleared.
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		s.seen = make(map[uint64]struct{})
		s.perAddr = make(map[uint64]uint8)
		s.mu.Unlock()
	}
	c.rates.reset()
	c.day.Store(nd)
	return nd
}

// readerKey is the daily-salted hash that stands for one reader of one story.
func readerKey(salt *[32]byte, addr netip.Addr, ua string, articleID int64) uint64 {
	var buf [32 + 16 + 8 + 256]byte
	b := append(buf[:0], salt[:]...)
	a16 := addr.As16()
	b = append(b, a16[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(articleID))
	if len(ua) > 256 {
		ua = ua[:256]
	}
	b = append(b, ua...)
	sum := sha256.Sum256(b)
	return binary.LittleEndian.Uint64(sum[:8])
}

// record counts a view of articleID by the client of r, unless it must not
// count. It never touches the database.
func (c *Counter) record(r *http.Request, articleID int64) {
	if r.Method == http.MethodHead {
		return
	}
	ua := r.UserAgent()
	if isPrefetch(r.Header) || c.agents.isBot(ua) {
		return
	}
	// Another site's page firing our beacon is not a reader of ours.
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return
	}
	kn := c.known.Load()
	pub, known := kn.public[articleID]
	// A story known not to be public is dropped here, unless the store's
	// generation has moved since we learned it (it may just have been
	// published, with readers arriving from a push alert): then it is
	// counted tentatively and checked at the next flush.
	if known && !pub && kn.gen == c.lastGen.Load() {
		return
	}
	addr := clientAddr(r, c.trusted)
	if !addr.IsValid() {
		return
	}
	now := c.clock.Now()
	d := c.today(now)
	ra := readerAddr(addr)
	// The reader key and the address's key for this story share their
	// shard bits, so both live under one lock (and a saved reader set
	// loads back into the shard its address uses).
	ak := addrKey(&d.salt, ra, articleID)
	key := readerKey(&d.salt, ra, ua, articleID)&^(numShards-1) | ak&(numShards-1)
	sl := slot{id: articleID, hour: now.Unix() / 3600}

	s := &c.shards[ak&(numShards-1)]
	s.mu.Lock()
	if _, dup := s.seen[key]; dup {
		s.mu.Unlock()
		return
	}
	// One address (an IPv6 /64) adds at most perAddress views per story
	// per day, however many user agents it rotates through.
	if s.perAddr[ak] >= c.perAddress {
		s.mu.Unlock()
		return
	}
	if len(s.seen) >= c.limitPerShard || len(s.perAddr) >= c.limitPerShard {
		s.mu.Unlock()
		if c.fullWarned.Swap(d.n) != d.n {
			c.log.WarnContext(r.Context(), "views: reader limit reached; new readers are not counted until tomorrow", "limit", c.limitPerShard*numShards)
		}
		return
	}
	// Ids not known to be public cost a look-up at flush time; bound how
	// many a flush may have to check, so made-up ids cannot make it slow.
	if !pub {
		if _, ok := s.pending[sl]; !ok && c.unknownSlots.Add(1) > maxUnknownSlots {
			s.mu.Unlock()
			return
		}
	}
	s.mu.Unlock()
	// And it adds views at a bounded rate over all stories.
	if !c.rates.allow(&d.salt, ra, now, c.limitPerShard) {
		return
	}
	s.mu.Lock()
	if _, dup := s.seen[key]; dup || s.perAddr[ak] >= c.perAddress {
		s.mu.Unlock()
		return
	}
	s.seen[key] = struct{}{}
	s.perAddr[ak]++
	s.pending[sl]++
	s.readers[sl] = append(s.readers[sl], key)
	s.mu.Unlock()
}

// addrKey is the daily-salted hash of one address (or /64) reading one
// story.
func addrKey(salt *[32]byte, addr netip.Addr, articleID int64) uint64 {
	var buf [32 + 16 + 8 + 1]byte
	b := append(buf[:0], salt[:]...)
	a16 := addr.As16()
	b = append(b, a16[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(articleID))
	b = append(b, 'a')
	sum := sha256.Sum256(b)
	return binary.LittleEndian.Uint64(sum[:8])
}

// addrRates limits how fast one address adds views over all stories: a
// burst of rateBurst, then one per rateEvery. A reader does not read a
// story every few seconds all day; a script does.
type addrRates struct {
	shards [numShards]rateShard
}

const (
	rateBurst = 60
	rateEvery = 10 * time.Second
)

type rateShard struct {
	mu sync.Mutex
	m  map[uint64]rateState
	_  [40]byte
}

type rateState struct {
	tokens float32
	at     int64 // Unix seconds
}

func (a *addrRates) allow(salt *[32]byte, addr netip.Addr, now time.Time, limit int) bool {
	k := addrKey(salt, addr, 0)
	s := &a.shards[k&(numShards-1)]
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[uint64]rateState{}
	}
	st, ok := s.m[k]
	t := now.Unix()
	if !ok {
		if len(s.m) >= limit {
			return false
		}
		st = rateState{tokens: rateBurst, at: t}
	}
	st.tokens = min(rateBurst, st.tokens+float32(t-st.at)/float32(rateEvery/time.Second))
	st.at = t
	if st.tokens < 1 {
		s.m[k] = st
		return false
	}
	st.tokens--
	s.m[k] = st
	return true
}

// reset forgets every address (at the turn of the day, with the salt).
func (a *addrRates) reset() {
	for i := range a.shards {
		s := &a.shards[i]
		s.mu.Lock()
		s.m = nil
		s.mu.Unlock()
	}
}

// readerAddr is the part of an address that stands for a reader
// (httpx.ClientPrefix: an IPv4 address, or an IPv6 /64).
func readerAddr(a netip.Addr) netip.Addr { return httpx.ClientPrefix(a) }
