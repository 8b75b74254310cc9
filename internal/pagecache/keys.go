package pagecache

// keyPurge is one PurgeKeys call, remembered for renders under way.
type keyPurge struct {
	seq  int64
	keys map[string]struct{}
}

// recentPurges bounds the key purges remembered: a render that started
// before the oldest one remembered is not stored (it cannot be checked).
const recentPurges = 64

// PurgeKeys drops every page that carries one of keys (Tag; an untagged
// page carries UntaggedKey) and returns how many it dropped. A page being
// rendered while it runs is not stored if it carries one of them, so no
// page read before the change can be cached after it. Safe to call from
// any goroutine; it costs one pass over the entries.
func (c *Cache) PurgeKeys(keys ...string) int {
	if len(keys) == 0 {
		return 0
	}
	set := make(map[string]struct{}, len(keys))
	for _, k := range keys {
		set[k] = struct{}{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kseq++
	c.recent = append(c.recent, keyPurge{seq: c.kseq, keys: set})
	if len(c.recent) > recentPurges {
		c.recent = append(c.recent[:0], c.recent[len(c.recent)-recentPurges:]...)
	}
	n := 0
	for k, e := range c.entries {
		if e.carries(set) {
			c.lru.Remove(e.elem)
			delete(c.entries, k)
			c.bytes -= int64(e.size)
			n++
		}
	}
	c.keyPurges.Add(1)
	c.keyPurged.Add(int64(n))
	return n
}

// keySeq is the count of key purges so far.
func (c *Cache) keySeq() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.kseq
}

// purgedSince reports whether a key purge after kstart names one of e's
// keys, or may have (it is no longer remembered). c.mu is held.
func (c *Cache) purgedSince(e *Entry, kstart int64) bool {
	if c.kseq == kstart {
		return false
	}
	if len(c.recent) == 0 || c.recent[0].seq > kstart+1 {
		return true
	}
	for _, p := range c.recent {
		if p.seq > kstart && e.carries(p.keys) {
			return true
		}
	}
	return false
}

// carries reports whether e has one of keys.
func (e *Entry) carries(keys map[string]struct{}) bool {
	for _, k := range e.keys {
		if _, ok := keys[k]; ok {
			return true
		}
	}
	return false
}
