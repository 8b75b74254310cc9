// Package archive is masthead's export format: the whole paper as one tar
// file of JSON lines plus its photo files, which `masthead export` writes
// and `masthead import` reads back into an empty paper with every id, so
// that story, author and /media/{id}/... addresses stay what they were.
// docs/export-format.md describes the format for other tools.
//
// The rows are those `masthead copy-db` moves (package copydb's neutral
// row format, table by table in load order); an archive is a copy-db to a
// file. What a copy leaves behind an archive leaves too (sessions, account
// tokens, the change log, leases, the webhook outbox), and, because an
// archive travels further than a database copy, so are API keys and
// webhook secrets (the integration tables) and the secret settings (mail
// server credentials, signing keys, the view counter's salt): integrations
// are added again on the new paper, and the secrets are made anew.
package archive

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"masthead/internal/copydb"
	"masthead/internal/news"
)

// Format and Version name the archive in its manifest.
const (
	Format  = "masthead-export"
	Version = 1
)

// Manifest is the archive's first entry, manifest.json.
type Manifest struct {
	Format    string    `json:"format"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	// Tables are the tables/NAME.jsonl entries, in load order.
	Tables []string `json:"tables"`
	// Left are the tables and settings an archive does not carry.
	Left []string `json:"left_out"`
	// Media is how many files media/... holds.
	Media int `json:"media"`
}

// Header is the first line of every tables/NAME.jsonl entry: the columns
// of the rows that follow (one JSON array a line) and each column's type.
type Header struct {
	Table   string   `json:"table"`
	Columns []string `json:"columns"`
	// Types: "int", "float", "string", "bool", "time" (RFC 3339 in UTC,
	// "" for none); empty when the table has no rows.
	Types []string `json:"types"`
	Rows  int      `json:"rows"`
}

// Blobs is the media store (internal/media's Blobs).
type Blobs interface {
	Put(ctx context.Context, key string, data []byte) error
	Open(ctx context.Context, key string) (io.ReadSeekCloser, time.Time, error)
	Delete(ctx context.Context, key string) error
}

// leftTables are copydb tables an archive does not carry: keys and
// secrets of integrations.
var leftTables = map[string]bool{"integrations": true, "api_keys": true, "integration_calls": true, "webhooks": true}

// secretSetting reports settings that hold secrets, which an archive
// leaves out: mail credentials, signing keys and salts.
func secretSetting(key string) bool {
	k := strings.ToLower(key)
	for _, w := range []string{"secret", "salt", "smtp", "password", "device_key", "token", "cursor"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// Tables are the tables an archive carries, in load order.
func Tables() []copydb.Table {
	var out []copydb.Table
	for _, t := range copydb.Tables {
		if !leftTables[t.Name] {
			out = append(out, t)
		}
	}
	return out
}

// Is reports whether the first bytes of a file are an archive (a tar file,
// gzipped or not, whose first entry is manifest.json).
func Is(head []byte) bool {
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(head))
		if err != nil {
			return false
		}
		buf := make([]byte, 512)
		n, _ := io.ReadFull(zr, buf)
		head = buf[:n]
	}
	return len(head) >= 512 && string(head[257:262]) == "ustar" && strings.HasPrefix(string(head), "manifest.json\x00")
}

// Export writes the paper in src (its rows) and blobs (its photo files)
// to w as one archive; gz compresses it. It returns the manifest written.
func Export(ctx context.Context, src copydb.Source, blobs Blobs, w io.Writer, gz bool, now time.Time) (*Manifest, error) {
	out := w
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(w)
		out = zw
	}
	tw := tar.NewWriter(out)
	// Photo files first: an import stores them before the rows that
	// name them, as the media library does.
	var keys []string
	err := src.ExportRows(ctx, "photos", func(row []any) error {
		key, _ := row[1].(string)
		widths, _ := row[10].(string)
		if !validKey(key) {
			return nil // awaiting its file, or replaced: no files
		}
		keys = append(keys, key)
		for _, ws := range strings.Split(widths, ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(ws)); err == nil && n > 0 {
				keys = append(keys, path.Join(path.Dir(key), strconv.Itoa(n)+".jpg"))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("export: photos: %w", err)
	}
	m := &Manifest{Format: Format, Version: Version, CreatedAt: now.UTC()}
	for _, t := range Tables() {
		m.Tables = append(m.Tables, t.Name)
	}
	for _, t := range copydb.Tables {
		if leftTables[t.Name] {
			m.Left = append(m.Left, t.Name)
		}
	}
	m.Left = append(m.Left, "secret settings (mail server, signing keys, salts)")
	m.Media = len(keys)
	mj, _ := json.MarshalIndent(m, "", "  ")
	if err := writeEntry(tw, "manifest.json", append(mj, '\n'), now); err != nil {
		return nil, err
	}
	for _, k := range keys {
		data, mod, err := readBlob(ctx, blobs, k)
		if err != nil {
			return nil, fmt.Errorf("export: photo file %s: %w", k, err)
		}
		if err := writeEntry(tw, "media/"+k, data, mod); err != nil {
			return nil, err
		}
	}
	for i, t := range Tables() {
		var body bytes.Buffer
		h := Header{Table: t.Name, Columns: t.Columns}
		var rows bytes.Buffer
		err := src.ExportRows(ctx, t.Name, func(row []any) error {
			if t.Name == "settings" && secretSetting(fmt.Sprint(row[0])) {
				return nil
			}
			if h.Types == nil {
				for _, v := range row {
					h.Types = append(h.Types, typeOf(v))
				}
			}
			line, err := encodeRow(row, h.Types)
			if err != nil {
				return fmt.Errorf("%s: %w", t.Name, err)
			}
			rows.Write(line)
			rows.WriteByte('\n')
			h.Rows++
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		hj, _ := json.Marshal(h)
		body.Write(hj)
		body.WriteByte('\n')
		body.Write(rows.Bytes())
		if err := writeEntry(tw, fmt.Sprintf("tables/%02d-%s.jsonl", i+1, t.Name), body.Bytes(), now); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func validKey(k string) bool {
	return k != "" && !strings.HasPrefix(k, news.AwaitingPrefix) && strings.HasPrefix(k, "photos/") && !strings.Contains(k, "..")
}

func readBlob(ctx context.Context, blobs Blobs, key string) ([]byte, time.Time, error) {
	f, mod, err := blobs.Open(ctx, key)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	return data, mod, err
}

func writeEntry(tw *tar.Writer, name string, data []byte, mod time.Time) error {
	hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: mod.UTC().Truncate(time.Second)}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("export: %s: %w", name, err)
	}
	_, err := tw.Write(data)
	return err
}

func typeOf(v any) string {
	switch v.(type) {
	case int64:
		return "int"
	case float64:
		return "float"
	case bool:
		return "bool"
	case time.Time:
		return "time"
	}
	return "string"
}

func encodeRow(row []any, types []string) ([]byte, error) {
	vals := make([]any, len(row))
	for i, v := range row {
		switch x := v.(type) {
		case time.Time:
			if x.IsZero() {
				vals[i] = ""
			} else {
				vals[i] = x.UTC().Format(time.RFC3339Nano)
			}
		case int64, float64, bool, string:
			vals[i] = x
		default:
			return nil, fmt.Errorf("column %d: unexpected %T", i+1, v)
		}
		if typeOf(v) != types[i] {
			return nil, fmt.Errorf("column %d: %T after %s", i+1, v, types[i])
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(vals); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func decodeRow(line []byte, types []string) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	if len(raw) != len(types) {
		return nil, fmt.Errorf("%d values, want %d", len(raw), len(types))
	}
	row := make([]any, len(raw))
	for i, v := range raw {
		var err error
		switch types[i] {
		case "int":
			n, ok := v.(json.Number)
			if !ok {
				return nil, fmt.Errorf("column %d: not a number", i+1)
			}
			row[i], err = n.Int64()
		case "float":
			n, ok := v.(json.Number)
			if !ok {
				return nil, fmt.Errorf("column %d: not a number", i+1)
			}
			row[i], err = n.Float64()
		case "bool":
			b, ok := v.(bool)
			if !ok {
				return nil, fmt.Errorf("column %d: not true or false", i+1)
			}
			row[i] = b
		case "time":
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("column %d: not a time", i+1)
			}
			t := time.Time{}
			if s != "" {
				t, err = time.Parse(time.RFC3339Nano, s)
			}
			row[i] = t.UTC()
		case "string":
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("column %d: not a string", i+1)
			}
			row[i] = s
		default:
			return nil, fmt.Errorf("column %d: unknown type %q", i+1, types[i])
		}
		if err != nil {
			return nil, fmt.Errorf("column %d: %w", i+1, err)
		}
	}
	return row, nil
}

// Result counts what Import loaded.
type Result struct {
	Rows  map[string]int
	Media int
	// Awaiting counts the photos awaiting their file.
	Awaiting int
}

// maxEntry bounds one entry of an archive read into memory (a table's
// rows are streamed line by line; a photo file is read whole).
const maxEntry = 64 << 20

// Import reads an archive into dst, which must hold no paper: photo files
// first (into blobs), then every table in one transaction (copydb's
// ImportRows). A failure removes the files it stored and writes no row.
func Import(ctx context.Context, dst copydb.Destination, blobs Blobs, r io.Reader) (res *Result, err error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("archive: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	tr := tar.NewReader(br)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != "manifest.json" {
		return nil, errors.New("archive: not a masthead export (no manifest.json first)")
	}
	var m Manifest
	if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil {
		return nil, fmt.Errorf("archive: manifest.json: %w", err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("archive: manifest.json names format %q, not %q", m.Format, Format)
	}
	if m.Version > Version {
		return nil, fmt.Errorf("archive: format version %d is newer than this masthead reads (%d): upgrade masthead", m.Version, Version)
	}
	// Refuse a paper that is not empty before any file is stored.
	for _, t := range Tables() {
		n, err := dst.CountRows(ctx, t.Name)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, fmt.Errorf("archive: the paper is not empty (%s has %d rows): an export is imported into a new paper", t.Name, n)
		}
	}
	res = &Result{Rows: map[string]int{}}
	var stored []string
	defer func() {
		if err != nil {
			for _, k := range stored {
				_ = blobs.Delete(context.WithoutCancel(ctx), k)
			}
		}
	}()
	hdr, err = tr.Next()
	for err == nil && strings.HasPrefix(hdr.Name, "media/") {
		key := strings.TrimPrefix(hdr.Name, "media/")
		if !validKey(key) || hdr.Size > maxEntry {
			return nil, fmt.Errorf("archive: bad media entry %q", hdr.Name)
		}
		data, rerr := io.ReadAll(io.LimitReader(tr, maxEntry))
		if rerr != nil {
			return nil, fmt.Errorf("archive: %s: %w", hdr.Name, rerr)
		}
		if perr := blobs.Put(ctx, key, data); perr != nil {
			return nil, fmt.Errorf("archive: store %s: %w", key, perr)
		}
		stored = append(stored, key)
		res.Media++
		hdr, err = tr.Next()
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("archive: %w", err)
	}
	want := map[string]copydb.Table{}
	for _, t := range Tables() {
		want[t.Name] = t
	}
	err = dst.ImportRows(ctx, func(put func(string, []any) error) error {
		for hdr != nil {
			if !strings.HasPrefix(hdr.Name, "tables/") {
				return fmt.Errorf("archive: unexpected entry %q", hdr.Name)
			}
			sc := bufio.NewScanner(tr)
			sc.Buffer(make([]byte, 0, 1<<20), maxEntry)
			if !sc.Scan() {
				return fmt.Errorf("archive: %s: no header line", hdr.Name)
			}
			var h Header
			if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
				return fmt.Errorf("archive: %s: header: %w", hdr.Name, err)
			}
			t, ok := want[h.Table]
			if !ok {
				return fmt.Errorf("archive: %s: unknown table %q", hdr.Name, h.Table)
			}
			if strings.Join(h.Columns, ",") != strings.Join(t.Columns, ",") {
				return fmt.Errorf("archive: %s: columns %v, this masthead has %v", hdr.Name, h.Columns, t.Columns)
			}
			n := 0
			for sc.Scan() {
				n++
				row, err := decodeRow(sc.Bytes(), h.Types)
				if err != nil {
					return fmt.Errorf("archive: %s line %d: %w", hdr.Name, n+1, err)
				}
				if h.Table == "photos" {
					if k, _ := row[1].(string); strings.HasPrefix(k, news.AwaitingPrefix) {
						res.Awaiting++
					}
				}
				if err := put(h.Table, row); err != nil {
					return fmt.Errorf("archive: %s line %d: %w", hdr.Name, n+1, err)
				}
			}
			if err := sc.Err(); err != nil {
				return fmt.Errorf("archive: %s: %w", hdr.Name, err)
			}
			if n != h.Rows {
				return fmt.Errorf("archive: %s: %d rows, its header says %d (a truncated archive?)", hdr.Name, n, h.Rows)
			}
			res.Rows[h.Table] = n
			next, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("archive: %w", err)
			}
			hdr = next
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
