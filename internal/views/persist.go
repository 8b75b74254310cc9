package views

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"

	"masthead/internal/news"
)

// seenKey holds the readers already counted today, saved at shutdown so a
// restart (a deploy) does not count them again: "YYYY-MM-DD <base64 of
// 8-byte hashes>". The hashes are salted with the day's secret and mean
// nothing once the salt is overwritten tomorrow; no address is stored.
const seenKey = "views_seen"

// maxSavedReaders bounds the saved set (8 bytes each, about 11 MB of text
// at the bound): a restart of a very busy node may recount some readers
// rather than write an unbounded setting.
const maxSavedReaders = 1 << 20

// saveSeen writes today's reader set. With several nodes the last one to
// shut down wins; loading another node's set only ever suppresses more
// duplicates, so that is harmless.
//
// A store that dedups readers itself (ReaderDedup) already holds the day's
// readers, so nothing is saved, and nothing loaded.
func (c *Counter) saveSeen(ctx context.Context) error {
	if _, ok := c.store.(ReaderDedup); ok {
		return nil
	}
	d := c.day.Load()
	var raw []byte
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		for k := range s.seen {
			if len(raw)/8 >= maxSavedReaders {
				break
			}
			raw = binary.LittleEndian.AppendUint64(raw, k)
		}
		s.mu.Unlock()
	}
	return c.store.PutSetting(ctx, seenKey, dayDate(d.n)+" "+base64.RawStdEncoding.EncodeToString(raw))
}

// loadSeen merges a saved reader set of the current day into memory.
func (c *Counter) loadSeen(ctx context.Context) error {
	if _, ok := c.store.(ReaderDedup); ok {
		return nil
	}
	v, err := c.store.GetSetting(ctx, seenKey)
	if errors.Is(err, news.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	d := c.day.Load()
	date, enc, ok := strings.Cut(v, " ")
	if !ok || date != dayDate(d.n) {
		return nil // another day's readers: their salt is gone
	}
	raw, err := base64.RawStdEncoding.DecodeString(enc)
	if err != nil {
		return nil // unreadable: start afresh rather than refuse to start
	}
	for len(raw) >= 8 {
		k := binary.LittleEndian.Uint64(raw)
		raw = raw[8:]
		s := &c.shards[k&(numShards-1)]
		if len(s.seen) < c.limitPerShard {
			s.seen[k] = struct{}{}
		}
	}
	return nil
}
