package media

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"masthead/internal/news"
)

// S3Config says where an S3-compatible bucket is and how to sign for it.
type S3Config struct {
	// Endpoint is the server's base URL, e.g. http://127.0.0.1:9000 for
	// MinIO or Garage, https://ACCOUNT.r2.cloudflarestorage.com for R2.
	// Requests then name the bucket in the path ("path style"). Empty means
	// AWS itself: https://BUCKET.s3.REGION.amazonaws.com.
	Endpoint string
	Region   string // default us-east-1; R2 wants "auto"
	Bucket   string
	// Prefix is prepended to every key ("paper1" stores photos/… as
	// paper1/photos/…), so several papers can share a bucket.
	Prefix       string
	AccessKey    string
	SecretKey    string
	SessionToken string // optional, for temporary credentials
	// Client sends the requests; nil means one with sensible timeouts.
	Client *http.Client
}

// S3Blobs keeps blobs as objects in an S3-compatible bucket, so that every
// node behind a load balancer sees the same photos without a shared
// folder. It speaks the plain REST API with Signature Version 4 over the
// standard library: three calls (PUT, GET, DELETE) do not justify an SDK.
type S3Blobs struct {
	cfg    S3Config
	base   *url.URL // scheme and host requests go to
	client *http.Client
	now    func() time.Time // for the signature test
}

var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// ParseS3URL reads s3://BUCKET/PREFIX?endpoint=URL&region=R. Credentials do
// not belong in the URL (it ends up in process lists and unit files): the
// caller fills AccessKey and SecretKey from the environment.
func ParseS3URL(raw string) (S3Config, error) {
	var cfg S3Config
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" {
		return cfg, fmt.Errorf("media: %q is not an s3://bucket/prefix URL", raw)
	}
	if u.User != nil {
		return cfg, errors.New("media: put S3 credentials in MASTHEAD_S3_ACCESS_KEY and MASTHEAD_S3_SECRET_KEY, not in the URL")
	}
	cfg.Bucket = u.Host
	cfg.Prefix = strings.Trim(u.Path, "/")
	for k, v := range u.Query() {
		switch k {
		case "endpoint":
			cfg.Endpoint = v[0]
		case "region":
			cfg.Region = v[0]
		default:
			return cfg, fmt.Errorf("media: unknown S3 URL parameter %q (want endpoint or region)", k)
		}
	}
	return cfg, nil
}

// NewS3Blobs checks cfg and returns the store. It does not contact the
// server: call Ping for that.
func NewS3Blobs(cfg S3Config) (*S3Blobs, error) {
	if !bucketName.MatchString(cfg.Bucket) {
		return nil, fmt.Errorf("media: invalid S3 bucket name %q", cfg.Bucket)
	}
	if cfg.Prefix != "" && !ValidKey(cfg.Prefix) {
		return nil, fmt.Errorf("media: invalid S3 key prefix %q", cfg.Prefix)
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("media: S3 needs an access key and a secret key (MASTHEAD_S3_ACCESS_KEY, MASTHEAD_S3_SECRET_KEY)")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	var base *url.URL
	if cfg.Endpoint == "" {
		base = &url.URL{Scheme: "https", Host: cfg.Bucket + ".s3." + cfg.Region + ".amazonaws.com"}
	} else {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return nil, fmt.Errorf("media: S3 endpoint %q: want http(s)://host[:port]", cfg.Endpoint)
		}
		base = &url.URL{Scheme: u.Scheme, Host: u.Host}
	}
	client := cfg.Client
	if client == nil {
		// No overall timeout: a large original streams for as long as the
		// reader's request lives. A server that never answers is cut off.
		client = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 30 * time.Second,
			MaxIdleConnsPerHost:   32,
			IdleConnTimeout:       90 * time.Second,
		}}
	}
	return &S3Blobs{cfg: cfg, base: base, client: client, now: time.Now}, nil
}

// objectPath is the request path for key: /BUCKET/PREFIX/KEY in path
// style, /PREFIX/KEY on AWS's bucket host.
func (b *S3Blobs) objectPath(key string) string {
	full := key
	if b.cfg.Prefix != "" {
		full = b.cfg.Prefix + "/" + key
	}
	if b.cfg.Endpoint == "" {
		return "/" + full
	}
	return "/" + b.cfg.Bucket + "/" + full
}

func (b *S3Blobs) bucketPath() string {
	if b.cfg.Endpoint == "" {
		return "/"
	}
	return "/" + b.cfg.Bucket
}

// do signs and sends one request. body may be nil.
func (b *S3Blobs) do(ctx context.Context, method, p string, header http.Header, body []byte) (*http.Response, error) {
	u := *b.base
	u.Path = p
	u.RawPath = uriEncode(p, false)
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body == nil {
		req.Body, req.GetBody, req.ContentLength = nil, nil, 0
	}
	for k, v := range header {
		req.Header[k] = v
	}
	b.sign(req, body, b.now())
	resp, err := b.client.Do(req)
	if err != nil {
		// The error names the URL, which holds no secret.
		return nil, fmt.Errorf("media: S3 %s %s: %w", method, p, err)
	}
	return resp, nil
}

// Put uploads data as one object; S3 replaces an object atomically, so a
// reader sees the old file or the new one.
func (b *S3Blobs) Put(ctx context.Context, key string, data []byte) error {
	if !ValidKey(key) {
		return news.Errorf(news.EINVALID, "invalid media key %q", key)
	}
	h := http.Header{}
	if ct := mime.TypeByExtension(path.Ext(key)); ct != "" {
		h.Set("Content-Type", ct)
	}
	resp, err := b.do(ctx, http.MethodPut, b.objectPath(key), h, data)
	if err != nil {
		return err
	}
	defer drain(resp)
	if resp.StatusCode != http.StatusOK {
		return s3Error(resp, "put "+key)
	}
	return nil
}

// Open starts a GET of the object. The returned file streams the body; a
// Seek elsewhere (http.ServeContent does so for Range requests) makes the
// next Read ask for the rest from there, pinned to the same version of the
// object by its ETag.
func (b *S3Blobs) Open(ctx context.Context, key string) (io.ReadSeekCloser, time.Time, error) {
	if !ValidKey(key) {
		return nil, time.Time{}, news.Errorf(news.EINVALID, "invalid media key %q", key)
	}
	resp, err := b.do(ctx, http.MethodGet, b.objectPath(key), nil, nil)
	if err != nil {
		return nil, time.Time{}, err
	}
	if resp.StatusCode == http.StatusNotFound {
		drain(resp)
		return nil, time.Time{}, news.Errorf(news.ENOTFOUND, "media %s not found", key)
	}
	if resp.StatusCode != http.StatusOK {
		defer drain(resp)
		return nil, time.Time{}, s3Error(resp, "get "+key)
	}
	mod, _ := http.ParseTime(resp.Header.Get("Last-Modified"))
	if resp.ContentLength < 0 {
		// No length (a chunked answer): hold it in memory, photos are
		// bounded by the upload limit.
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("media: get %s: %w", key, err)
		}
		return nopCloser{bytes.NewReader(data)}, mod, nil
	}
	return &s3Object{b: b, ctx: ctx, key: key, etag: resp.Header.Get("ETag"),
		size: resp.ContentLength, body: resp.Body}, mod, nil
}

// Delete removes the object; S3 answers a missing key with success too.
func (b *S3Blobs) Delete(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return news.Errorf(news.EINVALID, "invalid media key %q", key)
	}
	resp, err := b.do(ctx, http.MethodDelete, b.objectPath(key), nil, nil)
	if err != nil {
		return err
	}
	defer drain(resp)
	switch resp.StatusCode {
	case http.StatusNoContent, http.StatusOK, http.StatusNotFound:
		return nil
	}
	return s3Error(resp, "delete "+key)
}

// Ping checks that the bucket exists and the credentials may use it, so a
// node with a wrong --media fails at start rather than on the first photo.
func (b *S3Blobs) Ping(ctx context.Context) error {
	resp, err := b.do(ctx, http.MethodHead, b.bucketPath(), nil, nil)
	if err != nil {
		return err
	}
	defer drain(resp)
	switch resp.StatusCode {
	case http.StatusOK:
		return nil
	case http.StatusNotFound:
		return fmt.Errorf("media: S3 bucket %q does not exist", b.cfg.Bucket)
	case http.StatusForbidden, http.StatusUnauthorized:
		return fmt.Errorf("media: S3 bucket %q: access denied (check MASTHEAD_S3_ACCESS_KEY, MASTHEAD_S3_SECRET_KEY and region)", b.cfg.Bucket)
	}
	return fmt.Errorf("media: S3 bucket %q: HTTP %d", b.cfg.Bucket, resp.StatusCode)
}

// s3Object is an object being read; see Open.
type s3Object struct {
	b       *S3Blobs
	ctx     context.Context
	key     string
	etag    string
	size    int64
	pos     int64         // the reader's offset
	body    io.ReadCloser // nil, or the bytes from bodyPos on
	bodyPos int64
}

func (o *s3Object) Read(p []byte) (int, error) {
	if o.pos >= o.size {
		return 0, io.EOF
	}
	if o.body == nil || o.bodyPos != o.pos {
		if err := o.reopen(); err != nil {
			return 0, err
		}
	}
	n, err := o.body.Read(p)
	o.pos += int64(n)
	o.bodyPos += int64(n)
	if err == io.EOF && o.pos < o.size {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// reopen asks for the object from pos on.
func (o *s3Object) reopen() error {
	if o.body != nil {
		o.body.Close()
		o.body = nil
	}
	h := http.Header{"Range": {"bytes=" + strconv.FormatInt(o.pos, 10) + "-"}}
	if o.etag != "" {
		h.Set("If-Match", o.etag)
	}
	resp, err := o.b.do(o.ctx, http.MethodGet, o.b.objectPath(o.key), h, nil)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusPartialContent {
		defer drain(resp)
		return s3Error(resp, "get "+o.key+" from "+strconv.FormatInt(o.pos, 10))
	}
	o.body, o.bodyPos = resp.Body, o.pos
	return nil
}

func (o *s3Object) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = o.pos + offset
	case io.SeekEnd:
		abs = o.size + offset
	default:
		return 0, errors.New("media: seek: invalid whence")
	}
	if abs < 0 {
		return 0, errors.New("media: seek: negative position")
	}
	o.pos = abs
	return abs, nil
}

func (o *s3Object) Close() error {
	if o.body != nil {
		// A short rest (say, after a 304 or a HEAD that never read) is
		// read off so the connection goes back to the pool.
		if o.size-o.bodyPos <= 64<<10 {
			io.Copy(io.Discard, o.body)
		}
		err := o.body.Close()
		o.body = nil
		return err
	}
	return nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// drain reads a little of what is left so the connection can be reused,
// then closes the body.
func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// s3Error turns an error answer into an error naming S3's code (such as
// SignatureDoesNotMatch or NoSuchBucket), never the request's headers.
func s3Error(resp *http.Response, what string) error {
	var e struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if xml.Unmarshal(data, &e) == nil && e.Code != "" {
		return fmt.Errorf("media: S3 %s: HTTP %d %s: %s", what, resp.StatusCode, e.Code, e.Message)
	}
	return fmt.Errorf("media: S3 %s: HTTP %d", what, resp.StatusCode)
}

// Signature Version 4, as in the AWS reference "Authenticating Requests:
// Using the Authorization Header". Every header set on the request so far
// is signed, with Host, X-Amz-Date and X-Amz-Content-Sha256 added here;
// headers the transport adds later (User-Agent, Accept-Encoding) are not.
func (b *S3Blobs) sign(req *http.Request, body []byte, now time.Time) {
	now = now.UTC()
	amzDate := now.Format("20060102T150405Z")
	day := now.Format("20060102")
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("X-Amz-Content-Sha256", payload)
	if b.cfg.SessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", b.cfg.SessionToken)
	}

	headers := map[string]string{"host": req.URL.Host}
	for k, v := range req.Header {
		headers[strings.ToLower(k)] = strings.Join(strings.Fields(strings.Join(v, ",")), " ")
	}
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	sort.Strings(names)
	var canonHeaders strings.Builder
	for _, k := range names {
		canonHeaders.WriteString(k + ":" + headers[k] + "\n")
	}
	signed := strings.Join(names, ";")

	canonical := strings.Join([]string{
		req.Method,
		uriEncode(req.URL.Path, false),
		canonicalQuery(req.URL.Query()),
		canonHeaders.String(),
		signed,
		payload,
	}, "\n")
	scope := day + "/" + b.cfg.Region + "/s3/aws4_request"
	creq := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(creq[:])

	key := hmacSHA256([]byte("AWS4"+b.cfg.SecretKey), day)
	key = hmacSHA256(key, b.cfg.Region)
	key = hmacSHA256(key, "s3")
	key = hmacSHA256(key, "aws4_request")
	sig := hex.EncodeToString(hmacSHA256(key, toSign))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+b.cfg.AccessKey+"/"+scope+
		",SignedHeaders="+signed+",Signature="+sig)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// uriEncode percent-encodes everything but the unreserved characters
// (and '/' unless encodeSlash), as SigV4 requires; S3 paths are encoded once.
func uriEncode(s string, encodeSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func canonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			parts = append(parts, uriEncode(k, true)+"="+uriEncode(v, true))
		}
	}
	return strings.Join(parts, "&")
}
