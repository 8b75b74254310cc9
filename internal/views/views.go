// Package views counts story views for the most-read lists, cheaply and
// honestly.
//
// A page reports itself with a beacon (POST /api/v1/views from
// navigator.sendBeacon, or the <noscript> image GET /api/v1/views.gif), so
// counting goes on when story HTML comes from a cache or CDN. The beacon does
// its work in memory, in one of a few sharded maps behind short critical
// sections, and answers 204 at once. A view counts once per reader per story
// per UTC day: the reader is a hash of a secret daily salt, the client
// address and the user agent, kept in memory only; addresses are never
// stored. Crawlers, link-preview fetchers, headless browsers and
// prefetches do not count.
//
// Counts are aggregated per (story, hour) and written with one Store.AddViews
// call per flush interval, never one write per view: a clean shutdown (Run's
// context cancelled) loses nothing and a crash loses at most one interval.
// Stores add counts rather than overwrite them, so with several nodes on one
// database the ranking is the sum over all nodes.
package views

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"masthead/internal/news"
)

// Config configures a Counter.
type Config struct {
	Store  news.Store
	Clock  news.Clock   // default news.SystemClock
	Logger *slog.Logger // default slog.Default()
	// FlushInterval is how often Run writes the counts; 5s when zero. It is
	// also the most a crash can lose.
	FlushInterval time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For or
	// Forwarded header says who the client is. Requests from anywhere else
	// are counted by their own address, whatever headers they carry.
	TrustedProxies []netip.Prefix
	// Paper makes the absolute URLs of /api/v1/top. Required.
	Paper *news.Paper
	// DedupLimit bounds the readers remembered per day (each costs about 16
	// bytes); 2,097,152 when zero. When full, further new readers are not
	// counted until the day turns: a flood of forged user agents must not
	// exhaust memory, and undercounting under attack is the honest failure.
	DedupLimit int
	// TopMaxAge is how long a ranking is served before it is read again
	// from the database, whatever this node did meanwhile; 15s when zero.
	TopMaxAge time.Duration
	// PerAddress is how many views one address (an IPv6 /64) may add to
	// one story in a day, whatever user agents it sends; 3 when zero.
	PerAddress int
}

const (
	defaultFlushInterval = 5 * time.Second
	defaultDedupLimit    = 1 << 21
	defaultTopMaxAge     = 15 * time.Second
	// numShards spreads beacons over independent locks; a power of two so
	// the shard is a mask of the reader hash.
	numShards = 32
	// shutdownFlushTimeout bounds the last flush when Run's context ends.
	shutdownFlushTimeout = 15 * time.Second
)

// Counter counts views and serves the most-read rankings.
type Counter struct {
	store         news.Store
	clock         news.Clock
	log           *slog.Logger
	interval      time.Duration
	trusted       []netip.Prefix
	live          *news.Paper // read through paper()
	limitPerShard int
	shards        [numShards]shard
	perAddress    uint8
	rates         addrRates
	agents        uaVerdicts // isBot, cached per user agent
	day           atomic.Pointer[dayState]
	rotateMu      sync.Mutex // serialises day rotation
	fullWarned    atomic.Int64
	known         atomic.Pointer[knownIDs]
	lastGen       atomic.Int64      // the latest Store.Generation this node has read
	unknownSlots  atomic.Int64      // pending slots of ids not known public, since the last flush
	flushMu       sync.Mutex        // one flush at a time
	retry         map[slot]int64    // a failed batch, retried next flush; under flushMu
	retryReaders  map[slot][]uint64 // its reader keys
	flushSeq      atomic.Uint64     // bumped after each successful write
	ranks         rankCache
	genPoll       time.Duration       // how often the ranking re-reads Store.Generation
	rankMaxAge    time.Duration       // how long a ranking is served before it is read again
	gens          news.GenerationPoll // the ranking's, by wall time
}

// slot is one (story, hour) bucket of pending counts.
type slot struct {
	id   int64
	hour int64 // Unix hours
}

// shard holds one slice of the readers seen today and the counts not yet
// written. The padding keeps neighbouring locks off one cache line.
type shard struct {
	mu      sync.Mutex
	seen    map[uint64]struct{}
	perAddr map[uint64]uint8 // views counted per (address, story) today
	pending map[slot]int64
	readers map[slot][]uint64 // the reader keys behind pending, for ReaderDedup
	_       [24]byte
}

// ReaderDedup is a store that counts each reader once per day across
// nodes: it records the reader keys of the day and adds to a slot only the
// readers it had not recorded. Both stores implement it; with another,
// each node dedups on its own (a reader sent to two nodes counts twice).
type ReaderDedup interface {
	AddReaderViews(ctx context.Context, day int64, slots []news.ViewCount, readers [][]int64) error
}

// knownIDs remembers which story ids are public, so beacons for ids that
// are not (drafts, embargoed, made up) are dropped without a database
// look-up. Unknown ids are counted tentatively and checked at flush time.
type knownIDs struct {
	gen     int64
	created time.Time // wall time; negatives are forgotten after knownTTL
	public  map[int64]bool
}

const (
	knownTTL   = 10 * time.Minute
	knownLimit = 200_000
	// maxUnknownSlots bounds the (story, hour) slots of not-yet-checked ids
	// per flush interval; a real new story needs one until its first flush.
	maxUnknownSlots = 5000
)

// New returns a Counter. It reads (or creates) today's salt from the store,
// so it needs a working database.
func New(cfg Config) (*Counter, error) {
	if cfg.Store == nil {
		return nil, errors.New("views: Config.Store is required")
	}
	if cfg.Paper == nil {
		return nil, errors.New("views: Config.Paper is required")
	}
	c := &Counter{
		store:    cfg.Store,
		clock:    cfg.Clock,
		log:      cfg.Logger,
		interval: cfg.FlushInterval,
		trusted:  append([]netip.Prefix(nil), cfg.TrustedProxies...),
		live:     cfg.Paper,
		genPoll:  time.Second,
	}
	if c.clock == nil {
		c.clock = news.SystemClock{}
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.interval <= 0 {
		c.interval = defaultFlushInterval
	}
	limit := cfg.DedupLimit
	if limit <= 0 {
		limit = defaultDedupLimit
	}
	c.limitPerShard = max(1, limit/numShards)
	c.rankMaxAge = cfg.TopMaxAge
	if c.rankMaxAge <= 0 {
		c.rankMaxAge = defaultTopMaxAge
	}
	c.perAddress = 3
	if cfg.PerAddress > 0 {
		c.perAddress = uint8(min(cfg.PerAddress, 255))
	}
	for i := range c.shards {
		c.shards[i].seen = make(map[uint64]struct{})
		c.shards[i].perAddr = make(map[uint64]uint8)
		c.shards[i].readers = make(map[slot][]uint64)
		c.shards[i].pending = make(map[slot]int64)
	}
	c.known.Store(&knownIDs{created: time.Now(), public: map[int64]bool{}})
	c.ranks.m = make(map[rankKey]*rankEntry)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := c.loadDay(ctx, dayNumber(c.clock.Now()))
	if err != nil {
		return nil, fmt.Errorf("views: daily salt: %w", err)
	}
	c.day.Store(d)
	if err := c.loadSeen(ctx); err != nil {
		c.log.Warn("views: cannot load today's readers; some may count twice", "err", err)
	}
	return c, nil
}

// Run writes the counts every FlushInterval until ctx ends, then writes
// whatever is pending, saves the day's reader set (so a restart does not
// count the same readers again) and returns. Shut the HTTP server down before
// cancelling ctx, so no beacon arrives after the last flush.
func (c *Counter) Run(ctx context.Context) error {
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownFlushTimeout)
			defer cancel()
			if err := c.Flush(fctx); err != nil {
				return fmt.Errorf("views: last flush: %w", err)
			}
			if err := c.saveSeen(fctx); err != nil {
				return fmt.Errorf("views: save today's readers: %w", err)
			}
			return nil
		case <-t.C:
			if err := c.Flush(ctx); err != nil && ctx.Err() == nil {
				// The batch is kept and retried at the next tick.
				c.log.WarnContext(ctx, "views: flush failed", "err", err)
			}
		}
	}
}

// Flush writes every pending count in one Store.AddViews call. Counts for
// stories that turn out not to be public are dropped. On error the batch is
// kept and retried by the next Flush.
func (c *Counter) Flush(ctx context.Context) error {
	c.flushMu.Lock()
	defer c.flushMu.Unlock()

	batch, readers := c.retry, c.retryReaders
	c.retry, c.retryReaders = nil, nil
	if batch == nil {
		batch = make(map[slot]int64)
		readers = make(map[slot][]uint64)
	}
	for i := range c.shards {
		s := &c.shards[i]
		// Take the shard's maps whole and leave fresh ones, so beacons
		// wait only for a pointer swap; an empty map stays (it is the
		// shard's, so it must not be read after unlocking).
		var p map[slot]int64
		var rs map[slot][]uint64
		s.mu.Lock()
		if len(s.pending) > 0 {
			p, rs = s.pending, s.readers
			s.pending = make(map[slot]int64, len(p))
			s.readers = make(map[slot][]uint64, len(rs))
		}
		s.mu.Unlock()
		for k, v := range p {
			batch[k] += v
		}
		for k, v := range rs {
			readers[k] = append(readers[k], v...)
		}
	}
	c.unknownSlots.Store(0)
	if len(batch) == 0 {
		return nil
	}
	if err := c.dropNonPublic(ctx, batch); err != nil {
		c.retry, c.retryReaders = batch, readers
		return fmt.Errorf("check stories: %w", err)
	}
	if len(batch) == 0 {
		return nil
	}
	counts := make([]news.ViewCount, 0, len(batch))
	for k, v := range batch {
		counts = append(counts, news.ViewCount{ArticleID: k.id, Hour: time.Unix(k.hour*3600, 0).UTC(), Count: v})
	}
	// A fixed order makes concurrent flushes from several nodes take row
	// locks in the same order, so they never deadlock each other.
	sort.Slice(counts, func(i, j int) bool {
		if counts[i].ArticleID != counts[j].ArticleID {
			return counts[i].ArticleID < counts[j].ArticleID
		}
		return counts[i].Hour.Before(counts[j].Hour)
	})
	if err := c.write(ctx, counts, readers); err != nil {
		c.retry, c.retryReaders = batch, readers
		return fmt.Errorf("add views: %w", err)
	}
	c.flushSeq.Add(1)
	return nil
}

// write stores the counts: through ReaderDedup when the store has it (one
// call per UTC day in the batch, since reader keys are salted per day), or
// as plain counts.
func (c *Counter) write(ctx context.Context, counts []news.ViewCount, readers map[slot][]uint64) error {
	rd, ok := c.store.(ReaderDedup)
	if !ok {
		return c.store.AddViews(ctx, counts)
	}
	var (
		day   int64 = -1
		slots []news.ViewCount
		keys  [][]int64
	)
	send := func() error {
		if len(slots) == 0 {
			return nil
		}
		err := rd.AddReaderViews(ctx, day, slots, keys)
		slots, keys = nil, nil
		return err
	}
	// counts are sorted by story, then hour; group them by day keeping
	// that order within each call.
	byDay := map[int64][]int{}
	var days []int64
	for i, vc := range counts {
		d := dayNumber(vc.Hour)
		if _, seen := byDay[d]; !seen {
			days = append(days, d)
		}
		byDay[d] = append(byDay[d], i)
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	for _, d := range days {
		day = d
		for _, i := range byDay[d] {
			vc := counts[i]
			ks := readers[slot{id: vc.ArticleID, hour: vc.Hour.Unix() / 3600}]
			k64 := make([]int64, len(ks))
			for j, k := range ks {
				k64[j] = int64(k)
			}
			slots, keys = append(slots, vc), append(keys, k64)
		}
		if err := send(); err != nil {
			return err
		}
	}
	return nil
}

// dropNonPublic removes from batch the stories that are not public now,
// asking the store only about ids not already known to be public.
func (c *Counter) dropNonPublic(ctx context.Context, batch map[slot]int64) error {
	gen, err := c.store.Generation(ctx)
	if err != nil {
		return err
	}
	c.lastGen.Store(gen)
	old := c.known.Load()
	kn := &knownIDs{gen: gen, created: old.created, public: make(map[int64]bool, len(old.public))}
	// A generation change may have unpublished anything; a long-lived
	// negative may have been published by the clock alone (embargo end).
	if old.gen == gen && time.Since(old.created) < knownTTL && len(old.public) < knownLimit {
		for id, ok := range old.public {
			kn.public[id] = ok
		}
	} else {
		kn.created = time.Now()
	}
	var check []int64
	seen := make(map[int64]bool)
	for k := range batch {
		if _, known := kn.public[k.id]; !known && !seen[k.id] {
			seen[k.id] = true
			check = append(check, k.id)
		}
	}
	now := c.clock.Now()
	for len(check) > 0 {
		n := min(len(check), 500)
		chunk := check[:n]
		check = check[n:]
		arts, _, err := c.store.FindArticles(ctx, news.ArticleFilter{IDs: chunk, PublicAt: now, Limit: n})
		if err != nil {
			return err
		}
		for _, id := range chunk {
			kn.public[id] = false
		}
		for _, a := range arts {
			kn.public[a.ID] = true
		}
	}
	for k := range batch {
		if !kn.public[k.id] {
			delete(batch, k)
		}
	}
	c.known.Store(kn)
	return nil
}

// paper is the paper's settings as they are now (news.Live).
func (c *Counter) paper() *news.Paper { return c.live.Current() }
